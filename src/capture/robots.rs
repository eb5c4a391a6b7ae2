//! robots.txt ([RFC 9309]), honoured by default. The verdict is `texting_robots`'s (a parser
//! tested against Google's and reppy's suites); prov adds what a refusal must say: which rule
//! of which file, at which line.
//!
//! What the status of `/robots.txt` means (RFC 9309 §2.3.1): 2xx, the rules; 4xx (404 and
//! others), no rules, everything allowed; 5xx or no answer, everything disallowed. prov
//! follows up to five redirects to find it, and reads at most [`MAX_ROBOTS_BYTES`].
//!
//! [RFC 9309]: https://www.rfc-editor.org/rfc/rfc9309

use std::fmt;
use std::time::Duration;

/// The product token prov matches in `User-agent:` lines.
pub const PRODUCT_TOKEN: &str = "prov";

/// The most of a robots.txt prov reads (RFC 9309 §2.5: at least 500 KiB).
pub const MAX_ROBOTS_BYTES: u64 = 500 * 1024;

/// The rules (or their absence) for one origin.
pub struct Robots {
    /// Where the rules came from.
    pub url: String,
    policy: Policy,
}

enum Policy {
    /// No robots.txt (4xx): everything allowed.
    AllowAll,
    /// robots.txt could not be fetched (5xx, network): everything disallowed; why.
    DisallowAll(String),
    Rules {
        robot: Box<texting_robots::Robot>,
        text: String,
    },
}

impl fmt::Debug for Robots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let policy = match &self.policy {
            Policy::AllowAll => "allow all".to_string(),
            Policy::DisallowAll(why) => format!("disallow all ({why})"),
            Policy::Rules { text, .. } => format!("{} bytes of rules", text.len()),
        };
        f.debug_struct("Robots")
            .field("url", &self.url)
            .field("policy", &policy)
            .finish()
    }
}

/// Why robots.txt forbids a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disallowed {
    /// The robots.txt URL.
    pub robots_url: String,
    /// The rule, as written (`Disallow: /private/`), or why everything is disallowed.
    pub rule: String,
    /// The rule's line in robots.txt (1-based), when it is a rule.
    pub line: Option<usize>,
}

impl fmt::Display for Disallowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "`{}` ({}, line {line})", self.rule, self.robots_url),
            None => write!(f, "{} ({})", self.rule, self.robots_url),
        }
    }
}

impl Robots {
    /// No robots.txt: every URL allowed.
    pub fn allow_all(url: &str) -> Self {
        Robots {
            url: url.to_string(),
            policy: Policy::AllowAll,
        }
    }

    /// robots.txt unreachable: every URL disallowed, saying why.
    pub fn disallow_all(url: &str, why: impl Into<String>) -> Self {
        Robots {
            url: url.to_string(),
            policy: Policy::DisallowAll(why.into()),
        }
    }

    /// The rules of a fetched robots.txt (at most [`MAX_ROBOTS_BYTES`] are read). A file the
    /// parser cannot read at all counts as no rules, as for crawlers that ignore bad lines.
    pub fn parse(url: &str, body: &[u8]) -> Self {
        let body = &body[..body.len().min(MAX_ROBOTS_BYTES as usize)];
        match texting_robots::Robot::new(PRODUCT_TOKEN, body) {
            Ok(robot) => Robots {
                url: url.to_string(),
                policy: Policy::Rules {
                    robot: Box::new(robot),
                    text: String::from_utf8_lossy(body).into_owned(),
                },
            },
            Err(_) => Robots::allow_all(url),
        }
    }

    /// The rules for a robots.txt response: its final status and body (RFC 9309 §2.3.1).
    pub fn from_status(url: &str, status: u16, body: &[u8]) -> Self {
        match status {
            200..=299 => Robots::parse(url, body),
            400..=499 => Robots::allow_all(url),
            _ => Robots::disallow_all(
                url,
                format!(
                    "robots.txt answered HTTP {status}; RFC 9309 says to assume every page is disallowed"
                ),
            ),
        }
    }

    /// May prov fetch `url` (absolute)?
    pub fn check(&self, url: &str) -> Result<(), Disallowed> {
        match &self.policy {
            Policy::AllowAll => Ok(()),
            Policy::DisallowAll(why) => Err(Disallowed {
                robots_url: self.url.clone(),
                rule: why.clone(),
                line: None,
            }),
            Policy::Rules { robot, text } => {
                if robot.allowed(url) {
                    return Ok(());
                }
                let (rule, line) = match deciding_rule(text, url) {
                    Some((line, rule)) => (rule, Some(line)),
                    None => ("a rule for all robots".to_string(), None),
                };
                Err(Disallowed {
                    robots_url: self.url.clone(),
                    rule,
                    line,
                })
            }
        }
    }

    /// The `Crawl-delay` robots.txt asks of prov, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match &self.policy {
            Policy::Rules { robot, .. } => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(3600.0))),
            _ => None,
        }
    }
}

/// The most rules prov examines to name the one that decided.
const MAX_RULES_EXAMINED: usize = 2000;

/// Which rule of the group that applies to prov decides for `url`: the longest matching
/// pattern, an `Allow` winning a tie (RFC 9309 §2.2.2). Each pattern is tested with
/// `texting_robots` itself, so the rule named is the one its verdict rests on.
fn deciding_rule(text: &str, url: &str) -> Option<(usize, String)> {
    struct Rule<'a> {
        line: usize,
        allow: bool,
        pattern: &'a str,
        raw: &'a str,
        group: usize,
    }
    let mut rules = Vec::new();
    // Groups: each run of user-agent lines starts one; which agents each names.
    let mut group_agents: Vec<Vec<String>> = Vec::new();
    let mut in_agents = false;
    for (i, raw) in text.lines().enumerate() {
        let content = raw.split('#').next().unwrap_or("").trim();
        let Some((key, value)) = content.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        match key.as_str() {
            "user-agent" => {
                if !in_agents {
                    group_agents.push(Vec::new());
                    in_agents = true;
                }
                if let Some(g) = group_agents.last_mut() {
                    g.push(value.to_ascii_lowercase());
                }
            }
            "allow" | "disallow" => {
                in_agents = false;
                if rules.len() < MAX_RULES_EXAMINED && !value.is_empty() && value.len() <= 2048 {
                    rules.push(Rule {
                        line: i + 1,
                        allow: key == "allow",
                        pattern: value,
                        raw: raw.trim(),
                        group: group_agents.len().saturating_sub(1),
                    });
                }
            }
            _ => in_agents = false,
        }
    }
    let names_us = group_agents
        .iter()
        .any(|g| g.iter().any(|a| a == PRODUCT_TOKEN));
    let applies = |group: usize| {
        if group_agents.is_empty() {
            return true;
        }
        group_agents.get(group).is_some_and(|g| {
            g.iter()
                .any(|a| a == if names_us { PRODUCT_TOKEN } else { "*" })
        })
    };
    let mut best: Option<&Rule> = None;
    for rule in rules.iter().filter(|r| applies(r.group)) {
        let probe = format!("User-agent: *\nDisallow: {}\n", rule.pattern);
        let matches = texting_robots::Robot::new(PRODUCT_TOKEN, probe.as_bytes())
            .is_ok_and(|r| !r.allowed(url));
        if !matches {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => {
                rule.pattern.len() > b.pattern.len()
                    || (rule.pattern.len() == b.pattern.len() && rule.allow && !b.allow)
            }
        };
        if better {
            best = Some(rule);
        }
    }
    best.filter(|r| !r.allow)
        .map(|r| (r.line, r.raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "# hello\nUser-agent: *\nDisallow: /private/\nAllow: /private/ok\n\nUser-agent: otherbot\nDisallow: /\n";

    #[test]
    fn the_refusal_names_the_rule_and_its_line() {
        let r = Robots::parse("http://h/robots.txt", TXT.as_bytes());
        assert!(r.check("http://h/public").is_ok());
        assert!(r.check("http://h/private/ok/page").is_ok());
        let d = r.check("http://h/private/secret").unwrap_err();
        assert_eq!(d.rule, "Disallow: /private/");
        assert_eq!(d.line, Some(3));
        assert_eq!(
            d.to_string(),
            "`Disallow: /private/` (http://h/robots.txt, line 3)"
        );
    }

    #[test]
    fn a_group_naming_prov_replaces_the_star_group() {
        let txt =
            "User-agent: *\nDisallow: /\n\nUser-agent: Prov\nDisallow: /drafts\nCrawl-delay: 2\n";
        let r = Robots::parse("http://h/robots.txt", txt.as_bytes());
        assert!(r.check("http://h/article").is_ok());
        let d = r.check("http://h/drafts/1").unwrap_err();
        assert_eq!((d.rule.as_str(), d.line), ("Disallow: /drafts", Some(5)));
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn statuses_mean_what_rfc_9309_says() {
        assert!(
            Robots::from_status("u", 404, b"")
                .check("http://h/x")
                .is_ok()
        );
        assert!(
            Robots::from_status("u", 503, b"")
                .check("http://h/x")
                .is_err()
        );
        assert!(
            Robots::from_status("u", 200, b"User-agent: *\nDisallow: /x")
                .check("http://h/x")
                .is_err()
        );
    }

    #[test]
    fn hostile_robots_files_do_not_panic() {
        for body in [
            &b"\xff\xfe\x00garbage"[..],
            b"User-agent: *\nDisallow: /****************************$$$$\n",
            b"Disallow: (((((\n",
            b"User-agent:\nAllow:\nDisallow:\n",
        ] {
            let r = Robots::parse("u", body);
            let _ = r.check("http://h/a/b?c");
        }
    }
}
