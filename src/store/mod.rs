//! placeholder: filled by the store work.
