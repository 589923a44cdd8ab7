//! The Markdown that lesson texts use, parsed into a small tree the lesson panel draws as
//! elements: paragraphs, `#` headings, `-`/`*` and `1.` lists (continuation lines indented),
//! fenced code blocks, and inline `code`, **strong**, *emphasis* and [links](https://...).
//! Anything else is text. No HTML is ever produced from it.
//!
//! Hand-written rather than pulldown-cmark: that crate added 151 KB to the page's wasm (67 KB
//! gzip, measured with `bash scripts/wasm-size.sh`) for a CommonMark completeness lessons do not
//! need; docs/lessons.md lists this subset.

/// A block of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// Level 1-3.
    Heading(u8, Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    Code(String),
}

/// A run of text inside a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    /// Only `http(s)` targets become links; others stay text.
    Link {
        text: Vec<Inline>,
        href: String,
    },
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        return t[digits..].strip_prefix(". ").map(|rest| (true, rest));
    }
    None
}

/// Parses `text` into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut lines = text.lines().peekable();
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inline(&para.join(" "))));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List { ordered, items: items.iter().map(|i| inline(i)).collect() });
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            blocks.push(Block::Code(code.join("\n")));
        } else if trimmed.is_empty() {
            flush_para(&mut para, &mut blocks);
            // A blank line inside a list ends it only if what follows is not another item.
            if lines.peek().is_none_or(|next| list_item(next).is_none()) {
                flush_list(&mut list, &mut blocks);
            }
        } else if let Some((ordered, rest)) = list_item(line) {
            flush_para(&mut para, &mut blocks);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(rest.to_string()),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![rest.to_string()]));
                }
            }
        } else if let (Some((_, items)), true) = (&mut list, line.starts_with("  ")) {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
            }
        } else if let Some(level) = (1..=3).find(|n| trimmed.starts_with(&format!("{} ", "#".repeat(*n)))) {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(Block::Heading(level as u8, inline(trimmed[level + 1..].trim())));
        } else {
            flush_list(&mut list, &mut blocks);
            para.push(trimmed);
        }
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

/// Parses the inline runs of one block's text.
pub fn inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = rest.chars().next() {
        let taken = match c {
            '`' => rest[1..].find('`').map(|end| {
                flush(&mut plain, &mut out);
                out.push(Inline::Code(rest[1..1 + end].to_string()));
                2 + end
            }),
            '*' if rest.starts_with("**") => rest[2..].find("**").filter(|e| *e > 0).map(|end| {
                flush(&mut plain, &mut out);
                out.push(Inline::Strong(inline(&rest[2..2 + end])));
                4 + end
            }),
            '*' => rest[1..].find('*').filter(|e| *e > 0).map(|end| {
                flush(&mut plain, &mut out);
                out.push(Inline::Emphasis(inline(&rest[1..1 + end])));
                2 + end
            }),
            '[' => link(rest).map(|(text, href, len)| {
                flush(&mut plain, &mut out);
                if href.starts_with("https://") || href.starts_with("http://") {
                    out.push(Inline::Link { text: inline(text), href: href.to_string() });
                } else {
                    out.extend(inline(text));
                }
                len
            }),
            _ => None,
        };
        match taken {
            Some(n) => rest = &rest[n..],
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// `[text](href)` at the start of `s`: the text, the target and the length taken.
fn link(s: &str) -> Option<(&str, &str, usize)> {
    let close = s.find("](")?;
    let end = s[close + 2..].find(')')?;
    Some((&s[1..close], &s[close + 2..close + 2 + end], close + 3 + end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn blocks() {
        let md = "Intro line one\nline two.\n\n- a **bold** item\n  continued\n- `code` item\n\n1. first\n2. second\n\n```\nkubectl get pods\n  indented\n```\n## Heading\nafter";
        let b = parse(md);
        assert_eq!(b[0], Block::Paragraph(vec![t("Intro line one line two.")]));
        assert_eq!(
            b[1],
            Block::List {
                ordered: false,
                items: vec![
                    vec![t("a "), Inline::Strong(vec![t("bold")]), t(" item continued")],
                    vec![Inline::Code("code".into()), t(" item")],
                ]
            }
        );
        assert_eq!(b[2], Block::List { ordered: true, items: vec![vec![t("first")], vec![t("second")]] });
        assert_eq!(b[3], Block::Code("kubectl get pods\n  indented".into()));
        assert_eq!(b[4], Block::Heading(2, vec![t("Heading")]));
        assert_eq!(b[5], Block::Paragraph(vec![t("after")]));
        assert_eq!(b.len(), 6);
    }

    #[test]
    fn inlines_links_and_what_stays_text() {
        assert_eq!(
            inline("see [the docs](https://kubernetes.io/docs/) or [this](javascript:alert(1))"),
            vec![
                t("see "),
                Inline::Link { text: vec![t("the docs")], href: "https://kubernetes.io/docs/".into() },
                t(" or "),
                t("this"),
                t(")"),
            ]
        );
        assert_eq!(inline("<script>x</script>"), vec![t("<script>x</script>")]);
        assert_eq!(inline("a * b and `unclosed"), vec![t("a * b and `unclosed")]);
        assert_eq!(
            inline("*em* 和 **强调**"),
            vec![Inline::Emphasis(vec![t("em")]), t(" 和 "), Inline::Strong(vec![t("强调")])]
        );
        assert_eq!(inline("`<none>`"), vec![Inline::Code("<none>".into())]);
    }

    #[test]
    fn every_bundled_lesson_text_parses_to_something() {
        for e in &crate::lessons::catalog().entries {
            let s = &e.lesson.spec;
            for text in [&s.text.en, &s.text.zh] {
                assert!(!parse(text).is_empty(), "{}", e.path);
            }
        }
    }
}
