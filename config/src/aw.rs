//! AspectWerkz class and method expressions, as Terracotta's `tc-config.xml` uses them in
//! `<instrumented-classes>`, `<autolock>`, `<named-lock>` and `<distributed-methods>`.
//!
//! - Class expressions: a dotted Java class name where `*` matches any run of characters
//!   except `.` and `..` matches any number of whole packages: `demo.app.Main`, `pkg.*`
//!   (classes of `pkg`), `pkg..*` (classes of `pkg` and its subpackages), `*..*` (every
//!   class), `com.acme.*Service`, `Outer$*`. A trailing `+` (`pkg.Base+`) is refused: Kiln
//!   matches classes by name at load time, before their supertypes are known.
//! - Method expressions: `[modifiers] RETURN CLASS.NAME(PARAMS)`, e.g. `* pkg.*.*(..)`,
//!   `void pkg.C.m(int, java.lang.String)`, `* pkg.C.get*()`, `public * *..*.run(..)`.
//!   RETURN and the parameter types are type patterns (class patterns, primitive names,
//!   `[]` suffixes, `*`); PARAMS is a comma list in which `..` matches any number of
//!   parameters. Modifiers (`public`, `static`, `synchronized`, `!private`…) are checked
//!   against the method's access flags.
//!
//! One parser and one matcher, used by the configuration parser (a bad expression is a
//! configuration error with file:line:column) and by the Java agent's native side.

use std::fmt;

/// Why an expression does not parse: the offset (in bytes, into the expression) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the expression text where the problem is.
    pub offset: usize,
    /// What is wrong and what would be accepted.
    pub reason: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}: {}", self.offset, self.reason)
    }
}

fn err<T>(offset: usize, reason: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        offset,
        reason: reason.into(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A literal character.
    Lit(char),
    /// `*`: any run of characters other than `.`.
    Star,
    /// `..` between two parts: `.` then any number of `segment.` (zero or more packages).
    Packages,
    /// `*..` at the start: any package prefix, also none.
    AnyPrefix,
}

/// A compiled class (or type) name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPattern {
    toks: Vec<Tok>,
    text: String,
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl ClassPattern {
    /// Parses a class expression.
    pub fn parse(text: &str) -> Result<ClassPattern, ExprError> {
        Self::parse_at(text, 0)
    }

    fn parse_at(text: &str, base: usize) -> Result<ClassPattern, ExprError> {
        if text.is_empty() {
            return err(base, "empty class expression");
        }
        let mut toks = Vec::new();
        let b = text.as_bytes();
        let mut i = 0;
        if text.starts_with("*..") {
            toks.push(Tok::AnyPrefix);
            i = 3;
            if i == b.len() {
                return err(
                    base + i,
                    "a class expression cannot end with '..' (write '*..*')",
                );
            }
        }
        while i < b.len() {
            let c = text[i..].chars().next().unwrap_or('?');
            match c {
                '*' => {
                    if toks.last() == Some(&Tok::Star) {
                        return err(base + i, "'**' is not a class pattern (use '*' or '..')");
                    }
                    toks.push(Tok::Star);
                    i += 1;
                }
                '.' => {
                    if b.get(i + 1) == Some(&b'.') {
                        if toks.is_empty() {
                            return err(base + i, "a class expression cannot start with '..'");
                        }
                        if b.get(i + 2) == Some(&b'.') {
                            return err(base + i, "'...' is not a class pattern");
                        }
                        if i + 2 == b.len() {
                            return err(
                                base + i,
                                "a class expression cannot end with '..' (write 'pkg..*')",
                            );
                        }
                        toks.push(Tok::Packages);
                        i += 2;
                    } else {
                        if toks.is_empty() || matches!(toks.last(), Some(Tok::Lit('.'))) {
                            return err(base + i, "empty package or class name");
                        }
                        if i + 1 == b.len() {
                            return err(base + i, "a class expression cannot end with '.'");
                        }
                        toks.push(Tok::Lit('.'));
                        i += 1;
                    }
                }
                '+' => {
                    return err(
                        base + i,
                        "subtype patterns ('Type+') are not supported: Kiln matches classes by \
                         name when they load; list the classes or use a package pattern",
                    )
                }
                c if is_ident_char(c) => {
                    toks.push(Tok::Lit(c));
                    i += c.len_utf8();
                }
                c => {
                    return err(
                        base + i,
                        format!(
                            "unexpected '{c}' in a class expression (expected a Java name, '*' or '..')"
                        ),
                    )
                }
            }
        }
        Ok(ClassPattern {
            toks,
            text: text.to_string(),
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when `name` (a dotted binary class name, `pkg.Outer$Inner`) matches.
    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        match_toks(&self.toks, &chars)
    }
}

fn match_toks(toks: &[Tok], s: &[char]) -> bool {
    match toks.split_first() {
        None => s.is_empty(),
        Some((Tok::Lit(c), rest)) => s.first() == Some(c) && match_toks(rest, &s[1..]),
        Some((Tok::Star, rest)) => {
            let mut n = 0;
            loop {
                if match_toks(rest, &s[n..]) {
                    return true;
                }
                if n == s.len() || s[n] == '.' {
                    return false;
                }
                n += 1;
            }
        }
        Some((Tok::Packages, rest)) => {
            // '.' then zero or more "segment." groups.
            if s.first() != Some(&'.') {
                return false;
            }
            let mut at = 1;
            loop {
                if match_toks(rest, &s[at..]) {
                    return true;
                }
                // skip one more segment "xxx."
                match s[at..].iter().position(|&c| c == '.') {
                    Some(p) if p > 0 => at += p + 1,
                    _ => return false,
                }
            }
        }
        Some((Tok::AnyPrefix, rest)) => {
            let mut at = 0;
            loop {
                if match_toks(rest, &s[at..]) {
                    return true;
                }
                match s[at..].iter().position(|&c| c == '.') {
                    Some(p) if p > 0 => at += p + 1,
                    _ => return false,
                }
            }
        }
    }
}

/// A type pattern of a method expression: `*` (any type, also `void`), a primitive or class
/// pattern, with `[]` dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypePattern {
    /// `*`: any type.
    Any,
    /// A name pattern with a number of array dimensions.
    Named {
        /// The element type's pattern (`int`, `java.lang.String`, `pkg.*`).
        base: ClassPattern,
        /// `[]` count.
        dims: usize,
    },
}

const PRIMITIVES: [&str; 9] = [
    "void", "boolean", "byte", "char", "short", "int", "long", "float", "double",
];

impl TypePattern {
    fn parse_at(text: &str, base: usize) -> Result<TypePattern, ExprError> {
        if text == "*" {
            return Ok(TypePattern::Any);
        }
        let mut t = text;
        let mut dims = 0;
        while let Some(s) = t.strip_suffix("[]") {
            t = s.trim_end();
            dims += 1;
        }
        if t.is_empty() {
            return err(base, "missing type before '[]'");
        }
        // Unqualified common names Terracotta configs use (String, Object...) are java.lang.
        let base_pat = ClassPattern::parse_at(t, base)?;
        Ok(TypePattern::Named {
            base: base_pat,
            dims,
        })
    }

    /// True when the Java type name `ty` (`int`, `java.lang.String`, `byte[]`, `void`) matches.
    pub fn matches(&self, ty: &str) -> bool {
        match self {
            TypePattern::Any => true,
            TypePattern::Named { base, dims } => {
                let mut t = ty;
                let mut d = 0;
                while let Some(s) = t.strip_suffix("[]") {
                    t = s;
                    d += 1;
                }
                if d != *dims {
                    return false;
                }
                if base.matches(t) {
                    return true;
                }
                // `String` for `java.lang.String`: java.lang names may be written unqualified.
                match t.strip_prefix("java.lang.") {
                    Some(short) if !short.contains('.') => base.matches(short),
                    _ => false,
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    Type(TypePattern),
    /// `..`: any number of parameters.
    Rest,
}

/// Java access flags (the JVM's `ACC_*` values) a modifier of a method expression tests.
pub mod access {
    /// `public`.
    pub const PUBLIC: u32 = 0x0001;
    /// `private`.
    pub const PRIVATE: u32 = 0x0002;
    /// `protected`.
    pub const PROTECTED: u32 = 0x0004;
    /// `static`.
    pub const STATIC: u32 = 0x0008;
    /// `final`.
    pub const FINAL: u32 = 0x0010;
    /// `synchronized`.
    pub const SYNCHRONIZED: u32 = 0x0020;
    /// `native`.
    pub const NATIVE: u32 = 0x0100;
    /// `abstract`.
    pub const ABSTRACT: u32 = 0x0400;
}

fn modifier_flag(m: &str) -> Option<u32> {
    Some(match m {
        "public" => access::PUBLIC,
        "private" => access::PRIVATE,
        "protected" => access::PROTECTED,
        "static" => access::STATIC,
        "final" => access::FINAL,
        "synchronized" => access::SYNCHRONIZED,
        "native" => access::NATIVE,
        "abstract" => access::ABSTRACT,
        _ => return None,
    })
}

/// A compiled method expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodPattern {
    /// (flag, required present) per modifier.
    modifiers: Vec<(u32, bool)>,
    ret: TypePattern,
    class: ClassPattern,
    name: ClassPattern,
    params: Vec<Param>,
    text: String,
}

/// Splits at whitespace outside parentheses, with the byte offset of each word.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if c.is_whitespace() && depth == 0 {
            if let Some(s) = start.take() {
                out.push((s, &text[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

impl MethodPattern {
    /// Parses a method expression.
    pub fn parse(text: &str) -> Result<MethodPattern, ExprError> {
        let ws = words(text);
        if ws.is_empty() {
            return err(0, "empty method expression");
        }
        let (sig_at, sig) = ws[ws.len() - 1];
        if ws.len() < 2 {
            return err(
                0,
                "a method expression is 'RETURN-TYPE CLASS.METHOD(PARAMS)', e.g. '* pkg.C.m(..)'",
            );
        }
        let (ret_at, ret) = ws[ws.len() - 2];
        let mut modifiers = Vec::new();
        for &(at, m) in &ws[..ws.len() - 2] {
            let (neg, name) = match m.strip_prefix('!') {
                Some(n) => (true, n),
                None => (false, m),
            };
            match modifier_flag(name) {
                Some(f) => modifiers.push((f, !neg)),
                None => {
                    return err(
                        at,
                        format!(
                            "unknown modifier '{m}' (expected public, private, protected, static, \
                             final, synchronized, native or abstract, optionally with '!')"
                        ),
                    )
                }
            }
        }
        let ret = TypePattern::parse_at(ret, ret_at)?;
        let Some(open) = sig.find('(') else {
            return err(
                sig_at + sig.len(),
                "missing '(': a method expression ends with the parameter list, e.g. '(..)'",
            );
        };
        if !sig.ends_with(')') {
            return err(
                sig_at + sig.len(),
                "missing ')' at the end of the parameter list",
            );
        }
        let qualified = &sig[..open];
        // `* m(..)` (no class part): the method of any class.
        let (dot, class_text, name_text) = match qualified.rfind('.') {
            Some(dot) => (dot, &qualified[..dot], &qualified[dot + 1..]),
            None => (0, "*..*", qualified),
        };
        if qualified.is_empty() {
            return err(sig_at, "missing method name before '('");
        }
        // `* pkg..*(..)` and `* *..*(..)` (Terracotta configs write them): the `..` before the
        // method name reads as "any class in the package tree", i.e. `pkg..*.*(..)`.
        let tree;
        let class_text = if class_text.ends_with('.')
            && !class_text.ends_with("..")
            && qualified[..=dot].ends_with("..")
        {
            tree = format!("{class_text}.*");
            tree.as_str()
        } else {
            class_text
        };
        if class_text.ends_with('.') && !class_text.ends_with("..") {
            return err(sig_at + dot, "empty class name before the method name");
        }
        if name_text.is_empty() {
            return err(sig_at + dot + 1, "missing method name after '.'");
        }
        let class = if dot == 0 && class_text == "*..*" {
            ClassPattern::parse("*..*")?
        } else {
            ClassPattern::parse_at(class_text, sig_at)?
        };
        if name_text.contains('.') {
            return err(sig_at + dot + 1, "a method name cannot contain '.'");
        }
        let name_at = if dot == 0 { sig_at } else { sig_at + dot + 1 };
        let name = if name_text == "<init>" || name_text == "__INIT__" {
            ClassPattern {
                toks: "<init>".chars().map(Tok::Lit).collect(),
                text: "<init>".into(),
            }
        } else {
            ClassPattern::parse_at(name_text, name_at)?
        };
        let inner = &sig[open + 1..sig.len() - 1];
        let inner_at = sig_at + open + 1;
        let mut params = Vec::new();
        if !inner.trim().is_empty() {
            let mut at = 0;
            for p in inner.split(',') {
                let lead = p.len() - p.trim_start().len();
                let t = p.trim();
                if t.is_empty() {
                    return err(inner_at + at, "empty parameter type");
                }
                if t == ".." {
                    params.push(Param::Rest);
                } else {
                    params.push(Param::Type(TypePattern::parse_at(t, inner_at + at + lead)?));
                }
                at += p.len() + 1;
            }
        }
        Ok(MethodPattern {
            modifiers,
            ret,
            class,
            name,
            params,
            text: text.to_string(),
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the method matches: `class` dotted class name, `name` the method name,
    /// `ret` and `params` Java type names (`void`, `int`, `java.lang.String[]`), `access` the
    /// JVM access flags.
    pub fn matches(
        &self,
        access: u32,
        ret: &str,
        class: &str,
        name: &str,
        params: &[&str],
    ) -> bool {
        self.modifiers
            .iter()
            .all(|&(f, want)| (access & f != 0) == want)
            && self.ret.matches(ret)
            && self.class.matches(class)
            && self.name.matches(name)
            && match_params(&self.params, params)
    }

    /// [`MethodPattern::matches`] with a JVM method descriptor (`(ILjava/lang/String;)V`).
    /// A malformed descriptor matches nothing.
    pub fn matches_descriptor(&self, access: u32, class: &str, name: &str, desc: &str) -> bool {
        match parse_descriptor(desc) {
            Some((params, ret)) => {
                let ps: Vec<&str> = params.iter().map(String::as_str).collect();
                self.matches(access, &ret, class, name, &ps)
            }
            None => false,
        }
    }
}

fn match_params(pats: &[Param], tys: &[&str]) -> bool {
    match pats.split_first() {
        None => tys.is_empty(),
        Some((Param::Rest, rest)) => (0..=tys.len()).any(|n| match_params(rest, &tys[n..])),
        Some((Param::Type(t), rest)) => match tys.split_first() {
            Some((ty, more)) => t.matches(ty) && match_params(rest, more),
            None => false,
        },
    }
}

/// Java type names of a JVM field descriptor at the start of `d`, and the rest.
fn one_type(d: &str) -> Option<(String, &str)> {
    let mut dims = 0;
    let mut s = d;
    while let Some(r) = s.strip_prefix('[') {
        dims += 1;
        s = r;
    }
    let (base, rest) = match s.chars().next()? {
        'Z' => ("boolean".to_string(), &s[1..]),
        'B' => ("byte".to_string(), &s[1..]),
        'C' => ("char".to_string(), &s[1..]),
        'S' => ("short".to_string(), &s[1..]),
        'I' => ("int".to_string(), &s[1..]),
        'J' => ("long".to_string(), &s[1..]),
        'F' => ("float".to_string(), &s[1..]),
        'D' => ("double".to_string(), &s[1..]),
        'V' if dims == 0 => ("void".to_string(), &s[1..]),
        'L' => {
            let end = s.find(';')?;
            (s[1..end].replace('/', "."), &s[end + 1..])
        }
        _ => return None,
    };
    Some((format!("{base}{}", "[]".repeat(dims)), rest))
}

/// Parameter and return Java type names of a method descriptor.
pub fn parse_descriptor(desc: &str) -> Option<(Vec<String>, String)> {
    let mut s = desc.strip_prefix('(')?;
    let mut params = Vec::new();
    while !s.starts_with(')') {
        let (t, rest) = one_type(s)?;
        if t == "void" {
            return None;
        }
        params.push(t);
        s = rest;
    }
    let (ret, rest) = one_type(&s[1..])?;
    if !rest.is_empty() {
        return None;
    }
    Some((params, ret))
}

/// True when `name` is a primitive type name (`int`, `void`...).
pub fn is_primitive(name: &str) -> bool {
    PRIMITIVES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cm(p: &str, n: &str) -> bool {
        ClassPattern::parse(p).expect("valid pattern").matches(n)
    }

    #[test]
    fn class_patterns() {
        assert!(cm("demo.app.Main", "demo.app.Main"));
        assert!(!cm("demo.app.Main", "demo.app.Main2"));
        assert!(cm("pkg.*", "pkg.A"));
        assert!(!cm("pkg.*", "pkg.sub.A"));
        assert!(cm("pkg..*", "pkg.A"));
        assert!(cm("pkg..*", "pkg.sub.deep.A"));
        assert!(!cm("pkg..*", "pkgx.A"));
        assert!(!cm("pkg..*", "other.pkg.A"));
        assert!(cm("*..*", "Main"));
        assert!(cm("*..*", "a.b.C"));
        assert!(cm("com.acme.*Service", "com.acme.OrderService"));
        assert!(!cm("com.acme.*Service", "com.acme.OrderServiceImpl"));
        assert!(cm("demo.Outer$*", "demo.Outer$Inner"));
        assert!(cm("*", "Main"));
        assert!(!cm("*", "a.Main"));
        assert!(cm("a..b.*", "a.b.C"));
        assert!(cm("a..b.*", "a.x.y.b.C"));
    }

    #[test]
    fn class_pattern_errors() {
        for (bad, at) in [
            ("", 0),
            ("pkg.", 3),
            ("..x", 0),
            ("pkg..", 3),
            ("a.Base+", 6),
            ("a b", 1),
            ("a.**", 3),
            ("a...b", 1),
            ("a..b.", 4),
        ] {
            let e = ClassPattern::parse(bad).expect_err(bad);
            assert_eq!(e.offset, at, "{bad}: {e}");
        }
    }

    fn mm(p: &str, access: u32, class: &str, name: &str, desc: &str) -> bool {
        MethodPattern::parse(p)
            .expect("valid pattern")
            .matches_descriptor(access, class, name, desc)
    }

    #[test]
    fn method_patterns() {
        let pub_ = access::PUBLIC;
        assert!(mm("* pkg.*.*(..)", pub_, "pkg.C", "run", "()V"));
        assert!(mm(
            "* pkg.*.*(..)",
            pub_,
            "pkg.C",
            "put",
            "(ILjava/lang/String;)J"
        ));
        assert!(!mm("* pkg.*.*(..)", pub_, "pkg.sub.C", "run", "()V"));
        assert!(mm("* pkg..*.*(..)", pub_, "pkg.sub.C", "run", "()V"));
        // `pkg..*(..)`: any method of any class in the package tree, as `pkg..*.*(..)`.
        assert!(mm("* pkg..*(..)", pub_, "pkg.sub.C", "run", "()V"));
        assert!(mm("* pkg..*(..)", pub_, "pkg.C", "run", "()V"));
        assert!(!mm("* pkg..*(..)", pub_, "other.C", "run", "()V"));
        assert!(mm("* pkg..get*(..)", pub_, "pkg.a.C", "getX", "()I"));
        assert!(!mm("* pkg..get*(..)", pub_, "pkg.a.C", "setX", "()V"));
        assert!(mm("* *..*(..)", pub_, "a.b.C", "x", "()V"));
        assert!(mm(
            "void pkg.C.m(int, java.lang.String)",
            pub_,
            "pkg.C",
            "m",
            "(ILjava/lang/String;)V"
        ));
        assert!(mm(
            "void pkg.C.m(int, String)",
            pub_,
            "pkg.C",
            "m",
            "(ILjava/lang/String;)V"
        ));
        assert!(!mm(
            "void pkg.C.m(int)",
            pub_,
            "pkg.C",
            "m",
            "(ILjava/lang/String;)V"
        ));
        assert!(!mm("int pkg.C.m(..)", pub_, "pkg.C", "m", "()V"));
        assert!(mm(
            "* pkg.C.get*()",
            pub_,
            "pkg.C",
            "getName",
            "()Ljava/lang/String;"
        ));
        assert!(!mm(
            "* pkg.C.get*()",
            pub_,
            "pkg.C",
            "getName",
            "(I)Ljava/lang/String;"
        ));
        assert!(!mm("* pkg.C.get*()", pub_, "pkg.C", "setName", "()V"));
        assert!(mm("* pkg.C.m(int, ..)", pub_, "pkg.C", "m", "(IJJ)V"));
        assert!(mm("* pkg.C.m(.., long)", pub_, "pkg.C", "m", "(IJJ)V"));
        assert!(!mm("* pkg.C.m(.., int)", pub_, "pkg.C", "m", "(IJJ)V"));
        assert!(mm("* pkg.C.m(byte[])", pub_, "pkg.C", "m", "([B)V"));
        assert!(!mm("* pkg.C.m(byte)", pub_, "pkg.C", "m", "([B)V"));
        assert!(mm("public * *..*.*(..)", pub_, "a.B", "x", "()V"));
        assert!(!mm(
            "public * *..*.*(..)",
            access::PRIVATE,
            "a.B",
            "x",
            "()V"
        ));
        assert!(mm("!static * *..*.*(..)", pub_, "a.B", "x", "()V"));
        assert!(!mm(
            "!static * *..*.*(..)",
            pub_ | access::STATIC,
            "a.B",
            "x",
            "()V"
        ));
        assert!(mm("* pkg.C.__INIT__(..)", pub_, "pkg.C", "<init>", "()V"));
        assert!(mm("* *(..)", pub_, "a.B", "x", "()V"));
        assert!(mm("* get*(..)", pub_, "B", "getX", "()I"));
    }

    #[test]
    fn method_pattern_errors() {
        for (bad, at) in [
            ("", 0),
            ("pkg.C.m(..)", 0),
            ("* pkg.C.m", 9),
            ("* pkg.C.m(..", 12),
            ("* (..)", 2),
            ("* pkg.C.m(int,,long)", 14),
            ("bogus * pkg.C.m(..)", 0),
            ("* pkg.C.m(in t)", 12),
            ("* pkg.C+.m(..)", 7),
        ] {
            let e = MethodPattern::parse(bad).expect_err(bad);
            assert_eq!(e.offset, at, "{bad}: {e}");
        }
    }

    #[test]
    fn descriptors() {
        assert_eq!(
            parse_descriptor("(I[Ljava/lang/String;[[J)V"),
            Some((
                vec!["int".into(), "java.lang.String[]".into(), "long[][]".into()],
                "void".into()
            ))
        );
        assert_eq!(parse_descriptor("(V)V"), None);
        assert_eq!(parse_descriptor("()"), None);
        assert_eq!(parse_descriptor("(Ljava/lang/String)V"), None);
    }

    #[test]
    fn bad_expressions_are_config_errors_with_position() {
        let xml = "<tc-config>\n<application><dso><locks><autolock>\n  <method-expression>* pkg.C.m(int,,long)</method-expression>\n</autolock></locks></dso></application></tc-config>";
        let e = crate::TcConfig::from_str_with_origin(xml, "tc-config.xml").expect_err("bad");
        let msg = e.to_string();
        // `* pkg.C.m(int,,long)` starts at column 22; the empty parameter is 14 bytes further.
        assert!(
            msg.starts_with("tc-config.xml:3:36: application/dso/locks/autolock/method-expression"),
            "{msg}"
        );
        let xml = "<tc-config><application><dso><instrumented-classes><include><class-expression>a.B+</class-expression></include></instrumented-classes></dso></application></tc-config>";
        let msg = crate::TcConfig::from_str_with_origin(xml, "t.xml")
            .expect_err("bad")
            .to_string();
        assert!(
            msg.starts_with(
                "t.xml:1:82: application/dso/instrumented-classes/include/class-expression"
            ),
            "{msg}"
        );
    }

    fn seg() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9_]{0,5}"
    }

    proptest! {
        // A literal class name matches itself and nothing else of the same shape.
        #[test]
        fn literal_matches_itself(parts in proptest::collection::vec(seg(), 1..5), other in seg()) {
            let name = parts.join(".");
            let p = ClassPattern::parse(&name).expect("a literal name parses");
            prop_assert!(p.matches(&name));
            let changed = format!("{name}{other}");
            prop_assert!(!p.matches(&changed));
        }

        // `pkg.*` matches exactly the classes directly in pkg; `pkg..*` those in pkg or below.
        #[test]
        fn package_patterns(pkg in proptest::collection::vec(seg(), 1..3),
                            sub in proptest::collection::vec(seg(), 0..3),
                            cls in seg()) {
            let pkg = pkg.join(".");
            let mut full = vec![pkg.clone()];
            full.extend(sub.iter().cloned());
            full.push(cls);
            let name = full.join(".");
            let direct = ClassPattern::parse(&format!("{pkg}.*")).expect("parses");
            let deep = ClassPattern::parse(&format!("{pkg}..*")).expect("parses");
            let all = ClassPattern::parse("*..*").expect("parses");
            prop_assert_eq!(direct.matches(&name), sub.is_empty());
            prop_assert!(deep.matches(&name));
            prop_assert!(all.matches(&name));
        }

        // `*` never crosses a '.', so `a.*.c` matches exactly one middle segment.
        #[test]
        fn star_is_one_segment(mid in proptest::collection::vec(seg(), 0..4)) {
            let name = format!("a.{}{}c", mid.join("."), if mid.is_empty() { "" } else { "." });
            let p = ClassPattern::parse("a.*.c").expect("parses");
            prop_assert_eq!(p.matches(&name), mid.len() == 1);
        }

        // `(..)` matches any parameter list; `(T1, .., Tn)` agrees with a direct check.
        #[test]
        fn params_rest(tys in proptest::collection::vec(prop_oneof![Just("int"), Just("long"), Just("java.lang.String")], 0..5)) {
            let p = MethodPattern::parse("* a.B.m(..)").expect("parses");
            prop_assert!(p.matches(0, "void", "a.B", "m", &tys));
            let q = MethodPattern::parse("* a.B.m(int, ..)").expect("parses");
            prop_assert_eq!(q.matches(0, "void", "a.B", "m", &tys), tys.first() == Some(&"int"));
            let r = MethodPattern::parse("* a.B.m(.., long)").expect("parses");
            prop_assert_eq!(r.matches(0, "void", "a.B", "m", &tys), tys.last() == Some(&"long"));
        }

        // Parsing never panics, on any input.
        #[test]
        fn parse_total(s in "\\PC{0,30}") {
            let _ = ClassPattern::parse(&s);
            let _ = MethodPattern::parse(&s);
        }
    }
}
