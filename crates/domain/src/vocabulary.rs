//! The office's fixed word lists (levels, advice colours, activities, …) as enums.
//!
//! Each is written once with [`vocabulary!`](crate::vocabulary): its words on the
//! wire and in the database, parsing with a violation that names the field and lists
//! the words allowed, `Display`, `FromStr` and the OpenAPI schema.

use std::fmt;

/// A word that is not in the list, e.g. `phd` for a level of study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotInVocabulary {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl fmt::Display for NotInVocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a {}; use {}",
            self.value, self.what, self.expected
        )
    }
}

impl std::error::Error for NotInVocabulary {}

/// "a, b or c", for messages.
pub fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Declares an enum of office words. `what` names it in messages ("level of study"),
/// `code` is the violation code for a word not in the list (`invalid_level`).
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal, $code:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $word:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $word)] $variant ),+
        }

        impl $name {
            /// Every word, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// Parses a request's field; an empty value is `required`, another word `$code`.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::Violation> {
                if raw.trim().is_empty() {
                    return Err($crate::violation::missing(field));
                }
                raw.parse().map_err(|e: $crate::vocabulary::NotInVocabulary| {
                    $crate::Violation::new(field, $code, e.to_string())
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocabulary::NotInVocabulary;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::vocabulary::NotInVocabulary {
                        what: $what,
                        value: s.to_owned(),
                        expected: $crate::vocabulary::one_of(&[$($word),+]),
                    }),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::one_of;

    crate::vocabulary! {
        /// A test list.
        pub enum Colour ("colour", "invalid_colour") {
            Red = "red",
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn words_round_trip_and_others_are_named_in_the_violation() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>().unwrap(), *colour);
        }
        let v = Colour::parse("paint", "green").unwrap_err();
        assert_eq!(
            (v.field.as_str(), v.code.as_str()),
            ("paint", "invalid_colour")
        );
        assert_eq!(v.message, "`green` is not a colour; use red or dark_blue");
        assert_eq!(Colour::parse("paint", " ").unwrap_err().code, "required");
        assert_eq!(displayed(Colour::DarkBlue), "dark_blue");
    }

    fn displayed(c: Colour) -> String {
        c.to_string()
    }

    #[test]
    fn one_of_reads_like_english() {
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b"]), "a or b");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }
}
