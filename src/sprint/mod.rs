//! placeholder: filled by the sprint work.
