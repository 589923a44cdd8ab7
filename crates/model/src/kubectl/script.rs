//! The command language's surface syntax: shell-like lines with quotes, `\` continuations,
//! `#` comments and heredocs (`<<EOF` ... `EOF`).

/// One command of a script: its words, its stdin (from a heredoc), where it starts, and its
/// text as written (echoed in transcripts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<String>,
    pub stdin: Option<String>,
    pub line: usize,
    pub text: String,
    /// Further stages of a pipeline (`echo x | base64 -d`): each reads the output of the one
    /// before it as its stdin.
    pub pipeline: Vec<Vec<String>>,
}

/// Marks an unquoted `|` between words while splitting; never produced by quoted text.
const PIPE: &str = "\u{1}|";

/// A syntax problem in a script (an unterminated quote or heredoc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub message: String,
}

/// Splits a script into commands.
pub fn parse(script: &str) -> Result<Vec<Command>, ScriptError> {
    let lines: Vec<&str> = script.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut text = lines[i].to_string();
        while text.ends_with('\\') && i + 1 < lines.len() {
            text.pop();
            i += 1;
            text.push(' ');
            text.push_str(lines[i].trim_start());
        }
        i += 1;
        let (words, heredoc) = split_words(&text).map_err(|m| ScriptError { line: start + 1, message: m })?;
        let mut stages = words.split(|w| w == PIPE).map(<[String]>::to_vec);
        let words = stages.next().unwrap_or_default();
        let pipeline: Vec<Vec<String>> = stages.collect();
        if words.is_empty() && pipeline.is_empty() {
            continue;
        }
        if words.is_empty() || pipeline.iter().any(Vec::is_empty) {
            return Err(ScriptError { line: start + 1, message: "syntax error near unexpected token `|'".into() });
        }
        let mut stdin = None;
        if let Some((delim, strip_tabs)) = heredoc {
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                let cmp = if strip_tabs { l.trim_start_matches('\t') } else { l };
                if cmp == delim {
                    closed = true;
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            if !closed {
                return Err(ScriptError {
                    line: start + 1,
                    message: format!("here-document delimited by end-of-file (wanted `{delim}')"),
                });
            }
            stdin = Some(body);
        }
        out.push(Command { words, stdin, line: start + 1, text: text.trim().to_string(), pipeline });
    }
    Ok(out)
}

/// Shell word splitting: single quotes are literal, double quotes allow `\"`, `#` starts a
/// comment at a word start, `<<DELIM` / `<<'DELIM'` / `<<-DELIM` mark a heredoc.
/// A heredoc's delimiter and whether `<<-` strips leading tabs.
type Heredoc = Option<(String, bool)>;

fn split_words(line: &str) -> Result<(Vec<String>, Heredoc), String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut heredoc = None;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '|' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                words.push(PIPE.to_string());
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    cur.push(chars[i]);
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unexpected EOF while looking for matching `''".into());
                }
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() && matches!(chars[i + 1], '"' | '\\' | '$') {
                        i += 1;
                    }
                    cur.push(chars[i]);
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unexpected EOF while looking for matching `\"'".into());
                }
            }
            '\\' if i + 1 < chars.len() => {
                in_word = true;
                i += 1;
                cur.push(chars[i]);
            }
            '<' if !in_word && chars.get(i + 1) == Some(&'<') => {
                i += 2;
                let strip = chars.get(i) == Some(&'-');
                if strip {
                    i += 1;
                }
                while i < chars.len() && chars[i] == ' ' {
                    i += 1;
                }
                let mut delim = String::new();
                let quote = chars.get(i).copied().filter(|c| *c == '\'' || *c == '"');
                if quote.is_some() {
                    i += 1;
                }
                while i < chars.len() && !chars[i].is_whitespace() && Some(chars[i]) != quote {
                    delim.push(chars[i]);
                    i += 1;
                }
                if quote.is_some() {
                    i += 1;
                }
                if delim.is_empty() {
                    return Err("syntax error near unexpected token `newline'".into());
                }
                heredoc = Some((delim, strip));
                continue;
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
        i += 1;
    }
    if in_word {
        words.push(cur);
    }
    Ok((words, heredoc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_quotes_comments_heredocs() {
        let s = "kubectl get pods -o wide   # a comment\n\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nEOF\nsleep 30s\necho 'a b' \"c \\\"d\\\"\"\nkubectl get \\\n  pods\n";
        let cmds = parse(s).unwrap();
        assert_eq!(cmds.len(), 5);
        assert_eq!(cmds[0].words, ["kubectl", "get", "pods", "-o", "wide"]);
        assert_eq!(cmds[1].words, ["kubectl", "apply", "-f", "-"]);
        assert_eq!(cmds[1].stdin.as_deref(), Some("apiVersion: v1\nkind: Namespace\n"));
        assert_eq!(cmds[1].line, 3);
        assert_eq!(cmds[2].words, ["sleep", "30s"]);
        assert_eq!(cmds[3].words, ["echo", "a b", "c \"d\""]);
        assert_eq!(cmds[4].words, ["kubectl", "get", "pods"]);
    }

    #[test]
    fn pipelines_split_at_unquoted_bars() {
        let cmds = parse("echo cG9zdGdyZXM= | base64 -d\necho 'a|b' x|y\n").unwrap();
        assert_eq!(cmds[0].words, ["echo", "cG9zdGdyZXM="]);
        assert_eq!(cmds[0].pipeline, [vec!["base64".to_string(), "-d".to_string()]]);
        assert_eq!(cmds[1].words, ["echo", "a|b", "x"]);
        assert_eq!(cmds[1].pipeline, [vec!["y".to_string()]]);
        assert!(parse("echo x |").is_err());
        assert!(parse("| base64").is_err());
        assert!(parse("echo x | | base64").is_err());
    }

    #[test]
    fn errors() {
        assert!(parse("echo 'oops").is_err());
        let e = parse("kubectl apply -f - <<EOF\nkind: X\n").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
