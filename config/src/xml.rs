//! A tiny positioned element tree built from quick-xml events.
//!
//! The configuration is small, so it is read whole into a tree first; every node remembers the
//! byte offset it started at so that warnings and errors can name a line and a column.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::ConfigError;

/// Maps byte offsets of one source text to 1-based line and column numbers.
#[derive(Debug, Clone)]
pub(crate) struct LineMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineMap<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineMap { text, line_starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters, not bytes.
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts[idx];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (to_u32(idx + 1), to_u32(column + 1))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One attribute: local name, unescaped (not yet substituted) value, offset of the value.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) pos: usize,
}

/// One element: local name (prefix dropped), attributes, child elements and its own text.
#[derive(Debug, Clone)]
pub(crate) struct Elem {
    pub(crate) name: String,
    pub(crate) pos: usize,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Elem>,
    /// All text and CDATA directly inside this element, concatenated.
    pub(crate) text: String,
    /// Offset of the first non-whitespace character of `text` (or of the element if none).
    pub(crate) text_pos: usize,
    /// Each non-blank piece of text (between child elements or comments), trimmed, with the
    /// offset of its first character.
    pub(crate) chunks: Vec<(usize, String)>,
}

impl Elem {
    pub(crate) fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Parse `src` into its root element. `file` names the source in errors.
pub(crate) fn parse_tree(src: &str, file: &str, lines: &LineMap<'_>) -> Result<Elem, ConfigError> {
    let xml_err = |offset: usize, message: String| {
        let (line, column) = lines.position(offset);
        ConfigError::Xml {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    // A UTF-8 byte order mark is not an error.
    let body_start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &src[body_start..];
    let mut reader = Reader::from_str(body);
    {
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
        cfg.check_comments = true;
    }
    let mut stack: Vec<Elem> = Vec::new();
    let mut root: Option<Elem> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let at = before.saturating_add(body_start);
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(before);
                return Err(xml_err(pos + body_start, e.to_string()));
            }
        };
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() && stack.is_empty() => {
                let _ = e;
                return Err(xml_err(
                    at,
                    "more than one root element (a document has exactly one)".to_string(),
                ));
            }
            Event::Start(e) => {
                let elem = start_elem(&e, at, &xml_err)?;
                stack.push(elem);
            }
            Event::Empty(e) => {
                let elem = start_elem(&e, at, &xml_err)?;
                close(elem, &mut stack, &mut root);
            }
            Event::End(_) => match stack.pop() {
                Some(elem) => close(elem, &mut stack, &mut root),
                None => return Err(xml_err(at, "unexpected closing tag".to_string())),
            },
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| xml_err(at, e.to_string()))?
                    .into_owned();
                add_text(&mut stack, &text, at, &xml_err)?;
            }
            Event::CData(c) => {
                let text = String::from_utf8_lossy(&c.into_inner()).into_owned();
                // Text starts after "<![CDATA[".
                add_text(&mut stack, &text, at + 9, &xml_err)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        let (line, column) = lines.position(open.pos);
        return Err(xml_err(
            src.len(),
            format!(
                "unexpected end of file: element <{}> opened at line {line}, column {column} is never closed",
                open.name
            ),
        ));
    }
    root.ok_or_else(|| {
        xml_err(
            src.len(),
            "no root element (the document is empty)".to_string(),
        )
    })
}

fn start_elem<F>(e: &BytesStart<'_>, at: usize, xml_err: &F) -> Result<Elem, ConfigError>
where
    F: Fn(usize, String) -> ConfigError,
{
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let raw: &[u8] = e.as_ref();
    let mut attrs = Vec::new();
    for attr in e.attributes().with_checks(true) {
        let attr = attr.map_err(|err| xml_err(at, format!("bad attribute in <{name}>: {err}")))?;
        if attr.key.as_namespace_binding().is_some() {
            continue; // xmlns / xmlns:prefix declarations
        }
        let key_full = attr.key.as_ref();
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|err| xml_err(at, format!("bad value of attribute '{key}': {err}")))?
            .into_owned();
        // Locate the attribute's value inside the tag for a precise column.
        let pos = find_sub(raw, key_full)
            .and_then(|k| {
                raw[k..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\'')
                    .map(|q| at + 1 + k + q + 1)
            })
            .unwrap_or(at);
        let prefixed = key_full.len() != attr.key.local_name().as_ref().len();
        attrs.push(Attr {
            name: if prefixed {
                String::from_utf8_lossy(key_full).into_owned()
            } else {
                key
            },
            value,
            pos,
        });
    }
    Ok(Elem {
        name,
        pos: at,
        attrs,
        children: Vec::new(),
        text: String::new(),
        text_pos: at,
        chunks: Vec::new(),
    })
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    // Skip the element name itself so an attribute named like the element is found properly.
    let start = hay
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(hay.len());
    hay[start..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + start)
}

fn close(elem: Elem, stack: &mut [Elem], root: &mut Option<Elem>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(elem),
        None => *root = Some(elem),
    }
}

fn add_text<F>(stack: &mut [Elem], text: &str, at: usize, xml_err: &F) -> Result<(), ConfigError>
where
    F: Fn(usize, String) -> ConfigError,
{
    let lead = text.len() - text.trim_start().len();
    let has_content = !text.trim().is_empty();
    match stack.last_mut() {
        Some(parent) => {
            if has_content && parent.text.trim().is_empty() {
                parent.text_pos = at + lead;
            }
            if has_content {
                parent.chunks.push((at + lead, text.trim().to_string()));
            }
            parent.text.push_str(text);
            Ok(())
        }
        None if has_content => Err(xml_err(
            at + lead,
            "text outside the root element".to_string(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_positions() {
        let text = "ab\ncé\n\nx";
        let m = LineMap::new(text);
        assert_eq!(m.position(0), (1, 1));
        assert_eq!(m.position(1), (1, 2));
        assert_eq!(m.position(3), (2, 1));
        assert_eq!(m.position(6), (2, 3)); // after "cé" (é is 2 bytes)
        assert_eq!(m.position(7), (3, 1));
        assert_eq!(m.position(8), (4, 1));
        assert_eq!(m.position(100), (4, 2));
    }

    #[test]
    fn tree_keeps_local_names_and_text() {
        let src = "<tc:a xmlns:tc='x'><b k=\"v\"> hi </b><!-- c --><c/></tc:a>";
        let m = LineMap::new(src);
        let root = parse_tree(src, "t", &m).expect("valid");
        assert_eq!(root.name, "a");
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.children[0].text.trim(), "hi");
        assert_eq!(
            root.children[0].attr("k").map(|a| a.value.as_str()),
            Some("v")
        );
        assert!(root.attrs.is_empty());
    }

    #[test]
    fn unclosed_element_is_an_error() {
        let src = "<a>\n  <b>\n</a>";
        let m = LineMap::new(src);
        let err = parse_tree(src, "t", &m).expect_err("mismatched");
        assert!(matches!(err, ConfigError::Xml { .. }), "{err}");
    }
}
