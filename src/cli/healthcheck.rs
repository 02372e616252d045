//! `sprintbot healthcheck`: GET /healthz on the running server and exit 0 when
//! it answers 200. Docker's HEALTHCHECK runs it, so it needs no shell or curl.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::common::load_config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address of the server (default: the configured listen address, with
    /// 0.0.0.0 read as 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<String>,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let listen = match args.addr {
        Some(a) => a,
        None => match load_config(&config) {
            Ok(c) => c.server.listen,
            Err(code) => return code,
        },
    };
    let addr: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!("error: `{listen}` is not an address like 127.0.0.1:3000");
            return ExitCode::FAILURE;
        }
    };
    let addr = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    match probe(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

fn probe(addr: SocketAddr) -> std::io::Result<()> {
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    if &head[..9] == b"HTTP/1.1 " && &head[9..12] == b"200" {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "/healthz answered {}",
            String::from_utf8_lossy(&head)
        )))
    }
}
