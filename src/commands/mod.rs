//! placeholder: filled by the commands work.
