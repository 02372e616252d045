//! placeholder: filled by the lifecycle work.
