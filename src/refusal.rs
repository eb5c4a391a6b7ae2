//! [`Refusal`]: a command could not do its job. What went wrong and what to do about it, for the
//! binary to print before it exits 2. Findings about the workspace are not refusals: they are
//! [`crate::diag::Diagnostic`]s.

/// A command that could not do its job: what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: Option<String>,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
