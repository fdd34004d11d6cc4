//! The one boundary rule for text: what no field may hold, wherever it comes from.
//!
//! NUL cannot be stored in PostgreSQL text at all; other control characters (ESC,
//! BEL, …) and the bidirectional overrides (U+202E turns `fdp.exe` into `exe.pdf` on
//! screen) have no place in an office's records and can forge what a coordinator
//! reads. Long free text keeps its tabs and line breaks; single-line text
//! (names, cities) has none.

/// The first character `text` may not hold, if any. `line_breaks` allows tab,
/// line feed and carriage return, for long free text.
pub fn forbidden_character(text: &str, line_breaks: bool) -> Option<char> {
    text.chars().find(|&c| {
        let allowed_space = line_breaks && matches!(c, '\t' | '\n' | '\r');
        (c.is_control() && !allowed_space) || is_bidi_control(c)
    })
}

/// The Unicode bidirectional embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// How a refused character reads in a message: `U+0000`.
pub fn describe(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_refused() {
        assert_eq!(forbidden_character("Leiden", false), None);
        assert_eq!(forbidden_character("Zürich – Genève", false), None);
        assert_eq!(forbidden_character("a\u{0}b", true), Some('\u{0}'));
        assert_eq!(forbidden_character("bell\u{7}", true), Some('\u{7}'));
        assert_eq!(forbidden_character("esc\u{1b}[31m", true), Some('\u{1b}'));
        assert_eq!(forbidden_character("del\u{7f}", true), Some('\u{7f}'));
        assert_eq!(forbidden_character("c1\u{85}", true), Some('\u{85}'));
        assert_eq!(
            forbidden_character("fdp\u{202E}exe", true),
            Some('\u{202E}')
        );
        assert_eq!(
            forbidden_character("iso\u{2067}late", true),
            Some('\u{2067}')
        );
        assert_eq!(forbidden_character("line\none\ttwo\r\n", true), None);
        assert_eq!(forbidden_character("line\none", false), Some('\n'));
        assert_eq!(describe('\u{202E}'), "U+202E");
    }
}
