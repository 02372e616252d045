//! Scheduler leadership among replicas: a session advisory lock held on a
//! connection of its own, outside the pool. The lock lives exactly as long
//! as that session, so a leader that dies or loses the database loses the
//! lock with it, and another replica takes over; dropping the [`Leader`]
//! closes the connection, which releases it.

use tokio::task::JoinHandle;
use tokio_postgres::NoTls;

use super::{LEADER_LOCK, describe, schema};
use crate::store::StoreError;

/// How long `still_leading` waits for the database.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Leadership, held while this value lives and its connection stays up.
pub struct Leader {
    client: tokio_postgres::Client,
    /// Drives the connection; it ends once `client` is dropped.
    connection: JoinHandle<()>,
}

impl Leader {
    /// Take the leader lock on a new connection; `None` while another
    /// session holds it.
    pub(super) async fn try_take(
        config: &tokio_postgres::Config,
    ) -> Result<Option<Leader>, StoreError> {
        let (client, connection) = config.connect(NoTls).await.map_err(|e| StoreError::Open {
            what: schema::location(config),
            message: describe(&e),
        })?;
        let connection = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %describe(&e), "the scheduler leader's database connection ended");
            }
        });
        let taken: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
            .await?
            .get(0);
        if !taken {
            // Dropping the client closes the connection.
            return Ok(None);
        }
        Ok(Some(Leader { client, connection }))
    }

    /// Whether the session holding the lock is still there; a server that
    /// does not answer within a few seconds counts as gone.
    pub async fn still_leading(&self) -> bool {
        if self.connection.is_finished() {
            return false;
        }
        let answer = tokio::time::timeout(ANSWER_WITHIN, self.client.simple_query("SELECT 1"));
        matches!(answer.await, Ok(Ok(_)))
    }
}
