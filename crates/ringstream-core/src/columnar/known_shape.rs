//! Reading a record that has the shape of the record before it, which most records of a file
//! have. The last shape's description is compiled once into [`ShapeSteps`]; the next record
//! is then read against them: each key is compared with the expected key's bytes instead of
//! being scanned as a string, and no description is built or looked up. Anything that does not
//! follow the steps exactly (another key, another length of array, a container where a leaf
//! was) gives up, and the record is walked from its start as any other (`json_shape`), so the
//! result is always what that walk gives.

use std::ops::Range;

use super::json_shape::{skip_whitespace, Unshaped, LEAF};
use super::ColumnarEncoder;

/// One step of reading a value of a known shape. Whether a `,` comes first is part of the
/// step (the shape fixes it), and a member with a leaf value is one step: the steps of a record
/// run in a loop, and fewer, simpler steps are what makes reading against them fast.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A member whose value is a leaf.
    KeyLeaf(Member),
    /// A member's key, its value a container that the next step opens.
    Key(Member),
    /// A leaf: a string, number, `true`, `false` or `null`, or a value left whole as JSON.
    Leaf {
        comma: bool,
    },
    /// `{`, before its first member (or `{}` with `ObjectEnd` next).
    ObjectStart {
        comma: bool,
    },
    ArrayStart {
        comma: bool,
    },
    ObjectEnd,
    ArrayEnd,
}

/// A member's key as compact JSON writes it: `"key":`, after a `,` unless it is the first of its
/// object. Most JSON Lines are compact, and then one comparison steps over all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    /// The range of the compact text in `ShapeSteps::members`.
    compact: Range<usize>,
    comma: bool,
}

impl Member {
    /// The range of the key's string literal in `ShapeSteps::members`.
    fn key(&self) -> Range<usize> {
        self.compact.start + usize::from(self.comma)..self.compact.end - 1
    }
}

/// The steps of one shape, compiled from its description (see `json_shape`).
#[derive(Debug, Clone, Default)]
pub(super) struct ShapeSteps {
    steps: Vec<Step>,
    /// The compact text of every member, one after the other, which the steps index.
    members: Vec<u8>,
}

impl ShapeSteps {
    /// Compiles `description`; `None` if it is not a description (never the case for one the
    /// walk made).
    pub(super) fn compile(description: &[u8]) -> Option<ShapeSteps> {
        let mut shape = ShapeSteps::default();
        let end = shape.compile_node(description, 0, false)?;
        (end == description.len()).then_some(shape)
    }

    /// Compiles the node at `d[at..]` (after a `,` when `comma`), returning where it ends.
    fn compile_node(&mut self, d: &[u8], at: usize, comma: bool) -> Option<usize> {
        if d.get(at) == Some(&b'0') {
            self.steps.push(Step::Leaf { comma });
            return Some(at + 1);
        }
        match d.get(at..at + 2)? {
            b"[1" => {
                self.steps.push(Step::ObjectStart { comma });
                let mut at = at + 2;
                let mut comma = false;
                while d.get(at) == Some(&b',') {
                    let key_end = literal_end(d, at + 1)?;
                    if d.get(key_end) != Some(&b',') {
                        return None;
                    }
                    let member = self.member(&d[at + 1..key_end], comma);
                    at = key_end + 1;
                    if d.get(at) == Some(&b'0') {
                        self.steps.push(Step::KeyLeaf(member));
                        at += 1;
                    } else {
                        self.steps.push(Step::Key(member));
                        at = self.compile_node(d, at, false)?;
                    }
                    comma = true;
                }
                self.steps.push(Step::ObjectEnd);
                (d.get(at) == Some(&b']')).then_some(at + 1)
            }
            b"[2" => {
                self.steps.push(Step::ArrayStart { comma });
                let mut at = at + 2;
                let mut comma = false;
                while d.get(at) == Some(&b',') {
                    at = self.compile_node(d, at + 1, comma)?;
                    comma = true;
                }
                self.steps.push(Step::ArrayEnd);
                (d.get(at) == Some(&b']')).then_some(at + 1)
            }
            _ => None,
        }
    }

    /// The compact text of a member whose key is the literal `key`.
    fn member(&mut self, key: &[u8], comma: bool) -> Member {
        let start = self.members.len();
        if comma {
            self.members.push(b',');
        }
        self.members.extend_from_slice(key);
        self.members.push(b':');
        Member { compact: start..self.members.len(), comma }
    }
}

/// Where the string literal starting at `d[at]` (a `"`) ends, past its closing quote.
fn literal_end(d: &[u8], at: usize) -> Option<usize> {
    if d.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        match *d.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

impl ColumnarEncoder {
    /// Pushes the leaves of `text` if it is one JSON value of the shape `shape` describes, and
    /// says whether it was; when it was not, what was pushed stays for the caller to roll back.
    /// `scratch` is room for the description of a leaf.
    pub(super) fn walk_known_shape(
        &mut self,
        text: &[u8],
        shape: &ShapeSteps,
        scratch: &mut Vec<u8>,
    ) -> bool {
        self.follow_steps(text, shape, scratch).is_ok()
    }

    fn follow_steps(
        &mut self,
        s: &[u8],
        shape: &ShapeSteps,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Unshaped> {
        let mut pos = 0;
        // Containers open, for the walk's depth limit at a leaf that is a container.
        let mut depth = 0;
        for step in &shape.steps {
            pos = skip_whitespace(s, pos);
            match *step {
                Step::KeyLeaf(ref member) => {
                    pos = shape.member_value(s, pos, member)?;
                    self.known_leaf(s, &mut pos, depth, scratch)?;
                }
                Step::Key(ref member) => {
                    pos = shape.member_value(s, pos, member)?;
                }
                Step::Leaf { comma } => {
                    pos = skip_whitespace(s, after_comma(s, pos, comma)?);
                    self.known_leaf(s, &mut pos, depth, scratch)?;
                }
                Step::ObjectStart { comma } => {
                    pos = skip_whitespace(s, after_comma(s, pos, comma)?);
                    pos = expect(s, pos, b'{')?;
                    depth += 1;
                }
                Step::ArrayStart { comma } => {
                    pos = skip_whitespace(s, after_comma(s, pos, comma)?);
                    pos = expect(s, pos, b'[')?;
                    depth += 1;
                }
                Step::ObjectEnd => {
                    pos = expect(s, pos, b'}')?;
                    depth -= 1;
                }
                Step::ArrayEnd => {
                    pos = expect(s, pos, b']')?;
                    depth -= 1;
                }
            }
        }
        if skip_whitespace(s, pos) == s.len() {
            Ok(())
        } else {
            Err(Unshaped)
        }
    }

    /// Pushes the leaf at `s[*pos]`, `depth` containers deep.
    #[inline]
    fn known_leaf(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        depth: usize,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Unshaped> {
        if !matches!(s.get(*pos), Some(b'{' | b'[')) {
            return self.push_scalar(s, pos);
        }
        // A container as a leaf: the walk itself decides whether it is left whole (too long or
        // too deep), as it was in the last record.
        scratch.clear();
        let mut leaves = 0;
        self.walk(s, pos, depth, scratch, &mut leaves)?;
        if scratch.as_slice() != LEAF {
            return Err(Unshaped);
        }
        Ok(())
    }
}

impl ShapeSteps {
    /// Steps over `member`'s key (after its `,`) and its `:`, to the start of its value.
    #[inline(always)]
    fn member_value(&self, s: &[u8], pos: usize, member: &Member) -> Result<usize, Unshaped> {
        let compact = self.members.get(member.compact.clone()).ok_or(Unshaped)?;
        let end = pos + compact.len();
        if s.get(pos..end).is_some_and(|text| same_bytes(text, compact)) {
            return Ok(skip_whitespace(s, end));
        }
        // Whitespace somewhere around the key.
        let pos = skip_whitespace(s, after_comma(s, pos, member.comma)?);
        let key = self.members.get(member.key()).ok_or(Unshaped)?;
        if !s.get(pos..pos + key.len()).is_some_and(|text| same_bytes(text, key)) {
            return Err(Unshaped);
        }
        let pos = skip_whitespace(s, pos + key.len());
        Ok(skip_whitespace(s, expect(s, pos, b':')?))
    }
}

/// The position after the `,` at `s[pos]` when `comma`; else `pos`.
#[inline]
fn after_comma(s: &[u8], pos: usize, comma: bool) -> Result<usize, Unshaped> {
    if comma {
        expect(s, pos, b',')
    } else {
        Ok(pos)
    }
}

/// Whether `a` and `b` are the same bytes. Keys are short, and comparing them in at most two
/// words each is several times cheaper than a call to `memcmp`.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| s.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok());
    let half = |s: &[u8], at: usize| s.get(at..at + 4).and_then(|w| <[u8; 4]>::try_from(w).ok());
    match n {
        // Two words that overlap when `n` is below 16.
        17..=32 => same_bytes(&a[..16], &b[..16]) && same_bytes(&a[n - 16..], &b[n - 16..]),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// The position after `byte` at `s[pos]`, if it is there.
fn expect(s: &[u8], pos: usize, byte: u8) -> Result<usize, Unshaped> {
    if s.get(pos) == Some(&byte) {
        Ok(pos + 1)
    } else {
        Err(Unshaped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_compared_exactly() {
        let keys: Vec<Vec<u8>> =
            (0..=20).map(|n| (0..n).map(|i| b'a' + (i % 26) as u8).collect()).collect();
        for key in &keys {
            assert!(same_bytes(key, key));
            for at in 0..key.len() {
                let mut other = key.clone();
                other[at] ^= 1;
                assert!(!same_bytes(key, &other), "{key:?} at {at}");
            }
            let mut longer = key.clone();
            longer.push(b'a');
            assert!(!same_bytes(key, &longer));
        }
    }

    #[test]
    fn compiles_a_description() {
        let d = br#"[1,"id",0,"geo",[1,"x",0],"tags",[2,0,0],"e",[1],"a\"b",[2]]"#;
        let shape = ShapeSteps::compile(d).expect("a description");
        let text = |range: Range<usize>| String::from_utf8_lossy(&shape.members[range]).to_string();
        let steps: Vec<String> = shape
            .steps
            .iter()
            .map(|step| match step {
                Step::KeyLeaf(m) => format!("{} 0 ({})", text(m.compact.clone()), text(m.key())),
                Step::Key(m) => format!("{} ({})", text(m.compact.clone()), text(m.key())),
                Step::Leaf { comma } => format!("{}0", if *comma { "," } else { "" }),
                Step::ObjectStart { comma } => format!("{}{{", if *comma { "," } else { "" }),
                Step::ArrayStart { comma } => format!("{}[", if *comma { "," } else { "" }),
                Step::ObjectEnd => "}".to_owned(),
                Step::ArrayEnd => "]".to_owned(),
            })
            .collect();
        assert_eq!(
            steps,
            [
                "{",
                r#""id": 0 ("id")"#,
                r#","geo": ("geo")"#,
                "{",
                r#""x": 0 ("x")"#,
                "}",
                r#","tags": ("tags")"#,
                "[",
                "0",
                ",0",
                "]",
                r#","e": ("e")"#,
                "{",
                "}",
                r#","a\"b": ("a\"b")"#,
                "[",
                "]",
                "}",
            ]
        );
        assert!(ShapeSteps::compile(b"0").is_some());
        for bad in [&b""[..], b"[1", b"[1,\"a\"]", b"[3]", b"0 "] {
            assert!(ShapeSteps::compile(bad).is_none(), "{bad:?}");
        }
    }
}
