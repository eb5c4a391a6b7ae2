//! The policy of a workspace (`[policy]` in sources.toml) and the fact flags it names. The
//! flags are computed by [`crate::facts`]; their names belong to the model, since the policy
//! (`deny = ["single-origin"]`) and `prov check --deny` name them.

use serde::Serialize;

use crate::diag::Code;

/// `[policy]` in sources.toml.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Facts supported by fewer independent origins are flagged `single-origin`.
    pub min_origins: u32,
    /// Fact flags that fail the gate.
    pub deny: Vec<Flag>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_origins: 2,
            deny: Vec::new(),
        }
    }
}

/// A fact-level flag.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    Unsupported,
    SingleOrigin,
    AttributedOnly,
    Contested,
    UnknownOrigin,
}

impl Flag {
    pub const ALL: [Flag; 5] = [
        Flag::Unsupported,
        Flag::SingleOrigin,
        Flag::AttributedOnly,
        Flag::Contested,
        Flag::UnknownOrigin,
    ];

    pub fn code(self) -> Code {
        match self {
            Flag::Unsupported => Code::Unsupported,
            Flag::SingleOrigin => Code::SingleOrigin,
            Flag::AttributedOnly => Code::AttributedOnly,
            Flag::Contested => Code::Contested,
            Flag::UnknownOrigin => Code::UnknownOrigin,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.code().as_str()
    }

    pub fn parse(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == name)
    }
}
