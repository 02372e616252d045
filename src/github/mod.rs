//! placeholder: filled by the github work.
