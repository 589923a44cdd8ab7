//! Share links: the workspace (its files and the open file) as JSON, deflated and written in
//! base64url after `#share=v1.` in the page's URL. The fragment never reaches a server. Opening
//! such a link starts free play with those files; a damaged link or one from a newer format
//! changes nothing and says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The fragment key and this format's version prefix.
pub const KEY: &str = "share=";
pub const VERSION: &str = "v1.";
/// The most a link may inflate to (a share link is for manifests, not for bombs).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Shared {
    pub files: BTreeMap<String, String>,
    pub open_file: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ShareError {
    /// Not a link this page can read.
    Damaged,
    /// From a newer kubeplay (its version prefix).
    Newer(String),
}

/// The fragment (without `#`) for these files.
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{KEY}{VERSION}{}", to_base64url(&packed))
}

/// Reads a fragment (`#share=v1....` or without `#`); `None` when it holds no share link.
pub fn decode(fragment: &str) -> Option<Result<Shared, ShareError>> {
    let value = fragment.trim_start_matches('#').split('&').find_map(|p| p.strip_prefix(KEY))?;
    let Some(data) = value.strip_prefix(VERSION) else {
        let version = value.split('.').next().unwrap_or("").to_string();
        return Some(if version.starts_with('v') && version != "v1" {
            Err(ShareError::Newer(version))
        } else {
            Err(ShareError::Damaged)
        });
    };
    Some((|| {
        let packed = from_base64url(data).ok_or(ShareError::Damaged)?;
        let json =
            miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_BYTES).map_err(|_| ShareError::Damaged)?;
        serde_json::from_slice(&json).map_err(|_| ShareError::Damaged)
    })())
}

fn to_base64url(bytes: &[u8]) -> String {
    kubeplay_model::kubectl::base64(bytes).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

fn from_base64url(s: &str) -> Option<Vec<u8>> {
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return None;
    }
    kubeplay_model::kubectl::base64_decode(&s.replace('-', "+").replace('_', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Shared {
        let mut files = BTreeMap::new();
        files.insert("deploy/k8s/web.yaml".to_string(), "kind: Deployment\nmetadata: {name: 网站}\n".repeat(20));
        files.insert("README.md".to_string(), "notes".to_string());
        Shared { files, open_file: "deploy/k8s/web.yaml".into() }
    }

    #[test]
    fn a_link_round_trips_and_is_compressed_and_url_safe() {
        let link = encode(&sample());
        assert!(link.starts_with("share=v1."));
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.=".contains(&b)), "{link}");
        let raw = serde_json::to_vec(&sample()).unwrap().len();
        assert!(link.len() < raw / 2, "{} vs {raw}", link.len());
        assert_eq!(decode(&format!("#{link}")), Some(Ok(sample())));
        assert_eq!(decode(&format!("#lesson=x&{link}")), Some(Ok(sample())));
    }

    #[test]
    fn no_link_a_damaged_link_and_a_newer_one() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("#section-2"), None);
        assert_eq!(decode("#share=v1.AAAA"), Some(Err(ShareError::Damaged)));
        assert_eq!(decode("#share=v1.<script>"), Some(Err(ShareError::Damaged)));
        assert_eq!(decode("#share=garbage"), Some(Err(ShareError::Damaged)));
        assert_eq!(decode("#share=v2.abc"), Some(Err(ShareError::Newer("v2".into()))));
        // A deflate bomb stops at the limit.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b'a'; MAX_BYTES + 10], 9);
        assert_eq!(decode(&format!("#share=v1.{}", to_base64url(&bomb))), Some(Err(ShareError::Damaged)));
    }
}
