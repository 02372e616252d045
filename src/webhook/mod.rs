//! placeholder: filled by the webhook work.
