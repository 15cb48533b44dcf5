//! Reading a record that has the shape of the record before it, which most records of a file
//! have. The last shape's description is compiled once into [`ShapeSteps`]; the next record
//! is then read against them: each key is compared with the expected key's bytes instead of
//! being scanned as a string, and no description is built or looked up. Anything that does not
//! follow the steps exactly (another key, another length of array, a container where a leaf
//! was) gives up, and the record is walked from its start as any other (`json_shape`), so the
//! result is always what that walk gives.

use super::json_shape::{skip_whitespace, Unshaped, LEAF};
use super::ColumnarEncoder;

/// One step of reading a value of a known shape.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A leaf: a string, number, `true`, `false` or `null`, or a value left whole as JSON.
    Leaf,
    /// `{`, before its first member (or `{}` with `ObjectEnd` next).
    ObjectStart,
    /// A member's key, as the bytes of its string literal in the description.
    Key(std::ops::Range<usize>),
    ObjectEnd,
    ArrayStart,
    ArrayEnd,
}

/// The steps of one shape, compiled from its description (see `json_shape`), which they index.
#[derive(Debug, Clone, Default)]
pub(super) struct ShapeSteps {
    description: Vec<u8>,
    steps: Vec<Step>,
}

impl ShapeSteps {
    /// Compiles `description`; `None` if it is not a description (never the case for one the
    /// walk made).
    pub(super) fn compile(description: &[u8]) -> Option<ShapeSteps> {
        let mut steps = Vec::new();
        let end = compile_node(description, 0, &mut steps)?;
        (end == description.len()).then(|| ShapeSteps { description: description.to_vec(), steps })
    }
}

/// Compiles the node at `d[at..]`, returning where it ends.
fn compile_node(d: &[u8], at: usize, steps: &mut Vec<Step>) -> Option<usize> {
    if d.get(at) == Some(&b'0') {
        steps.push(Step::Leaf);
        return Some(at + 1);
    }
    match d.get(at..at + 2)? {
        b"[1" => {
            steps.push(Step::ObjectStart);
            let mut at = at + 2;
            while d.get(at) == Some(&b',') {
                let key_end = literal_end(d, at + 1)?;
                steps.push(Step::Key(at + 1..key_end));
                if d.get(key_end) != Some(&b',') {
                    return None;
                }
                at = compile_node(d, key_end + 1, steps)?;
            }
            steps.push(Step::ObjectEnd);
            (d.get(at) == Some(&b']')).then_some(at + 1)
        }
        b"[2" => {
            steps.push(Step::ArrayStart);
            let mut at = at + 2;
            while d.get(at) == Some(&b',') {
                at = compile_node(d, at + 1, steps)?;
            }
            steps.push(Step::ArrayEnd);
            (d.get(at) == Some(&b']')).then_some(at + 1)
        }
        _ => None,
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
        // A value or a container has just ended: what comes next in a container is a `,`.
        let mut after_value = false;
        for step in &shape.steps {
            pos = skip_whitespace(s, pos);
            match step {
                Step::Key(range) => {
                    if after_value {
                        pos = skip_whitespace(s, expect(s, pos, b',')?);
                    }
                    let key = shape.description.get(range.clone()).ok_or(Unshaped)?;
                    if !s.get(pos..).is_some_and(|rest| rest.starts_with(key)) {
                        return Err(Unshaped);
                    }
                    pos = skip_whitespace(s, pos + key.len());
                    pos = expect(s, pos, b':')?;
                    after_value = false;
                }
                Step::ObjectEnd | Step::ArrayEnd => {
                    let close = if *step == Step::ObjectEnd { b'}' } else { b']' };
                    pos = expect(s, pos, close)?;
                    depth -= 1;
                    after_value = true;
                }
                Step::Leaf | Step::ObjectStart | Step::ArrayStart => {
                    if after_value {
                        pos = skip_whitespace(s, expect(s, pos, b',')?);
                    }
                    match step {
                        Step::Leaf => {
                            // The walk itself, which also decides whether a container here is
                            // left whole (too long or too deep), as it was in the last record.
                            scratch.clear();
                            let mut leaves = 0;
                            self.walk(s, &mut pos, depth, scratch, &mut leaves)?;
                            if scratch.as_slice() != LEAF {
                                return Err(Unshaped);
                            }
                        }
                        Step::ObjectStart => {
                            pos = expect(s, pos, b'{')?;
                            depth += 1;
                        }
                        _ => {
                            pos = expect(s, pos, b'[')?;
                            depth += 1;
                        }
                    }
                    after_value = matches!(step, Step::Leaf);
                }
            }
        }
        if skip_whitespace(s, pos) == s.len() {
            Ok(())
        } else {
            Err(Unshaped)
        }
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
    fn compiles_a_description() {
        let d = br#"[1,"id",0,"geo",[1,"x",0],"tags",[2,0,0],"e",[1],"a\"b",[2]]"#;
        let shape = ShapeSteps::compile(d).expect("a description");
        let key = |text: &str| {
            let start = d.windows(text.len()).position(|w| w == text.as_bytes()).unwrap();
            Step::Key(start..start + text.len())
        };
        use Step::*;
        assert_eq!(
            shape.steps,
            [
                ObjectStart,
                key(r#""id""#),
                Leaf,
                key(r#""geo""#),
                ObjectStart,
                key(r#""x""#),
                Leaf,
                ObjectEnd,
                key(r#""tags""#),
                ArrayStart,
                Leaf,
                Leaf,
                ArrayEnd,
                key(r#""e""#),
                ObjectStart,
                ObjectEnd,
                key(r#""a\"b""#),
                ArrayStart,
                ArrayEnd,
                ObjectEnd,
            ]
        );
        assert!(ShapeSteps::compile(b"0").is_some());
        for bad in [&b""[..], b"[1", b"[1,\"a\"]", b"[3]", b"0 "] {
            assert!(ShapeSteps::compile(bad).is_none(), "{bad:?}");
        }
    }
}
