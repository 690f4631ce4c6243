//! Tokens of the Kconfig language. Kconfig's lexer is stateful: help text is
//! measured by indentation, the right side of a macro assignment is raw text,
//! and `$(...)` references are expanded while lexing (inside words and
//! strings). logos recognises the ordinary tokens; this module drives the
//! states around it and keeps the stack of `source`d files.

use super::diag::KconfigError;
use super::preprocess::Preprocessor;
use super::source::{FileId, Loc, SourceMap};
use logos::Logos;
use std::sync::Arc;

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t]+")]
#[logos(skip r"\\\n")]
#[logos(skip r"#[^\n]*")]
enum Raw {
    #[token("\n")]
    Newline,
    #[token("bool")]
    Bool,
    #[token("choice")]
    Choice,
    #[token("comment")]
    Comment,
    #[token("config")]
    Config,
    #[token("def_bool")]
    DefBool,
    #[token("def_tristate")]
    DefTristate,
    #[token("default")]
    Default,
    #[token("depends")]
    Depends,
    #[token("endchoice")]
    EndChoice,
    #[token("endif")]
    EndIf,
    #[token("endmenu")]
    EndMenu,
    #[token("help")]
    Help,
    #[token("hex")]
    Hex,
    #[token("if")]
    If,
    #[token("imply")]
    Imply,
    #[token("int")]
    Int,
    #[token("mainmenu")]
    MainMenu,
    #[token("menu")]
    Menu,
    #[token("menuconfig")]
    MenuConfig,
    #[token("modules")]
    Modules,
    #[token("on")]
    On,
    #[token("prompt")]
    Prompt,
    #[token("range")]
    Range,
    #[token("select")]
    Select,
    #[token("source")]
    Source,
    #[token("string")]
    String,
    #[token("transitional")]
    Transitional,
    #[token("tristate")]
    Tristate,
    #[token("visible")]
    Visible,
    #[token("||")]
    Or,
    #[token("&&")]
    And,
    #[token("=")]
    Equal,
    #[token("!=")]
    Unequal,
    #[token("<")]
    Less,
    #[token("<=")]
    LessEqual,
    #[token(">")]
    Greater,
    #[token(">=")]
    GreaterEqual,
    #[token("!")]
    Not,
    #[token("(")]
    OpenParen,
    #[token(")")]
    CloseParen,
    #[token(":=")]
    ColonEqual,
    #[token("+=")]
    PlusEqual,
    #[token("\"")]
    #[token("'")]
    Quote,
    #[regex("[A-Za-z0-9_-]+", priority = 3)]
    Word,
    /// A word with at least one `$`: expanded by the preprocessor.
    #[regex(r"([A-Za-z0-9_-]|\$)+", priority = 2)]
    DollarWord,
}

/// The text of a word or string token: usually a slice of its file (no
/// copy), or the result of macro expansion / unescaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Span { start: u32, end: u32 },
    Owned(String),
}

impl Text {
    /// The text, given the source of the token's file.
    pub fn as_str<'a>(&'a self, source: &'a str) -> &'a str {
        match self {
            Text::Span { start, end } => source.get(*start as usize..*end as usize).unwrap_or(""),
            Text::Owned(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Eol,
    Eof,
    /// An unquoted word (symbol name, number), after macro expansion.
    Word(Text),
    /// A quoted string, after macro expansion and unescaping.
    Quoted(Text),
    /// A help block: its byte range in the file (rendered on demand).
    HelpText {
        start: u32,
        end: u32,
    },
    /// The raw right-hand side of `VAR = value`.
    AssignVal(String),
    Bool,
    Choice,
    Comment,
    Config,
    DefBool,
    DefTristate,
    Default,
    Depends,
    EndChoice,
    EndIf,
    EndMenu,
    Help,
    Hex,
    If,
    Imply,
    Int,
    MainMenu,
    Menu,
    MenuConfig,
    Modules,
    On,
    Prompt,
    Range,
    Select,
    Source,
    String,
    Transitional,
    Tristate,
    Visible,
    Or,
    And,
    Equal,
    Unequal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Not,
    OpenParen,
    CloseParen,
    ColonEqual,
    PlusEqual,
}

impl Tok {
    /// How messages name the token; `source` is the text of its file.
    pub fn describe(&self, source: &str) -> String {
        match self {
            Tok::Eol => "end of line".into(),
            Tok::Eof => "end of file".into(),
            Tok::Word(w) => format!("'{}'", w.as_str(source)),
            Tok::Quoted(s) => format!("\"{}\"", s.as_str(source)),
            Tok::HelpText { .. } => "help text".into(),
            Tok::AssignVal(_) => "assigned value".into(),
            other => format!("'{}'", keyword_text(other)),
        }
    }
}

fn keyword_text(t: &Tok) -> &'static str {
    match t {
        Tok::Bool => "bool",
        Tok::Choice => "choice",
        Tok::Comment => "comment",
        Tok::Config => "config",
        Tok::DefBool => "def_bool",
        Tok::DefTristate => "def_tristate",
        Tok::Default => "default",
        Tok::Depends => "depends",
        Tok::EndChoice => "endchoice",
        Tok::EndIf => "endif",
        Tok::EndMenu => "endmenu",
        Tok::Help => "help",
        Tok::Hex => "hex",
        Tok::If => "if",
        Tok::Imply => "imply",
        Tok::Int => "int",
        Tok::MainMenu => "mainmenu",
        Tok::Menu => "menu",
        Tok::MenuConfig => "menuconfig",
        Tok::Modules => "modules",
        Tok::On => "on",
        Tok::Prompt => "prompt",
        Tok::Range => "range",
        Tok::Select => "select",
        Tok::Source => "source",
        Tok::String => "string",
        Tok::Transitional => "transitional",
        Tok::Tristate => "tristate",
        Tok::Visible => "visible",
        Tok::Or => "||",
        Tok::And => "&&",
        Tok::Equal => "=",
        Tok::Unequal => "!=",
        Tok::Less => "<",
        Tok::LessEqual => "<=",
        Tok::Greater => ">",
        Tok::GreaterEqual => ">=",
        Tok::Not => "!",
        Tok::OpenParen => "(",
        Tok::CloseParen => ")",
        Tok::ColonEqual => ":=",
        Tok::PlusEqual => "+=",
        _ => "?",
    }
}

fn simple_tok(raw: Raw) -> Tok {
    match raw {
        Raw::Newline => Tok::Eol,
        Raw::Bool => Tok::Bool,
        Raw::Choice => Tok::Choice,
        Raw::Comment => Tok::Comment,
        Raw::Config => Tok::Config,
        Raw::DefBool => Tok::DefBool,
        Raw::DefTristate => Tok::DefTristate,
        Raw::Default => Tok::Default,
        Raw::Depends => Tok::Depends,
        Raw::EndChoice => Tok::EndChoice,
        Raw::EndIf => Tok::EndIf,
        Raw::EndMenu => Tok::EndMenu,
        Raw::Help => Tok::Help,
        Raw::Hex => Tok::Hex,
        Raw::If => Tok::If,
        Raw::Imply => Tok::Imply,
        Raw::Int => Tok::Int,
        Raw::MainMenu => Tok::MainMenu,
        Raw::Menu => Tok::Menu,
        Raw::MenuConfig => Tok::MenuConfig,
        Raw::Modules => Tok::Modules,
        Raw::On => Tok::On,
        Raw::Prompt => Tok::Prompt,
        Raw::Range => Tok::Range,
        Raw::Select => Tok::Select,
        Raw::Source => Tok::Source,
        Raw::String => Tok::String,
        Raw::Transitional => Tok::Transitional,
        Raw::Tristate => Tok::Tristate,
        Raw::Visible => Tok::Visible,
        Raw::Or => Tok::Or,
        Raw::And => Tok::And,
        Raw::Equal => Tok::Equal,
        Raw::Unequal => Tok::Unequal,
        Raw::Less => Tok::Less,
        Raw::LessEqual => Tok::LessEqual,
        Raw::Greater => Tok::Greater,
        Raw::GreaterEqual => Tok::GreaterEqual,
        Raw::Not => Tok::Not,
        Raw::OpenParen => Tok::OpenParen,
        Raw::CloseParen => Tok::CloseParen,
        Raw::ColonEqual => Tok::ColonEqual,
        Raw::PlusEqual => Tok::PlusEqual,
        // Words and quotes carry text and are built by the driver.
        Raw::Quote | Raw::Word | Raw::DollarWord => Tok::Eol,
    }
}

/// A token with where it starts and how many source bytes it covers.
#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub loc: Loc,
    pub len: u32,
}

impl Token {
    /// A token with no place in any file (the end of all input).
    fn nowhere(tok: Tok) -> Self {
        Token {
            tok,
            loc: Loc {
                file: FileId(0),
                offset: 0,
                line: 0,
                col: 0,
            },
            len: 0,
        }
    }
}

/// A non-fatal lexer message (the C tool prints these as warnings).
#[derive(Debug, Clone)]
pub struct LexWarning {
    pub loc: Loc,
    pub message: String,
}

struct FileCursor {
    file: FileId,
    text: Arc<str>,
    pos: usize,
    /// 1-based line of `pos`, and the byte offset where that line starts.
    line: u32,
    line_start: usize,
    /// Where the `source` statement that opened this file stands.
    included_from: Option<Loc>,
    /// Tokens found ahead on the prefetch thread, and the first not yet passed.
    prelexed: Prelexed,
    next_prelexed: usize,
}

impl FileCursor {
    fn loc_at(&self, offset: usize) -> Loc {
        // `offset` is at or after `line_start` on the current line.
        Loc {
            file: self.file,
            offset: offset as u32,
            line: self.line,
            col: (offset.saturating_sub(self.line_start) + 1) as u32,
        }
    }

    /// The token found ahead that lexing from `pos` would produce, if the
    /// helper lexed from exactly here (else the caller lexes itself).
    fn prelexed_here(&mut self) -> Option<PreToken> {
        let tokens = &self.prelexed.tokens;
        while let Some(t) = tokens.get(self.next_prelexed) {
            if (t.lex_from as usize) < self.pos {
                self.next_prelexed += 1;
            } else {
                break;
            }
        }
        tokens
            .get(self.next_prelexed)
            .filter(|t| t.lex_from as usize == self.pos)
            .copied()
    }

    /// Takes a token found ahead: moves past it, with its line.
    fn pass_prelexed(&mut self, t: &PreToken) {
        self.next_prelexed += 1;
        self.pos = t.end as usize;
        self.line = t.line;
        self.line_start = t.line_start as usize;
        if t.kind == PreKind::Raw(Raw::Newline) {
            self.line += 1;
            self.line_start = self.pos;
        }
    }

    /// Moves to `new_pos`, counting the newlines passed.
    fn advance_to(&mut self, new_pos: usize) {
        if new_pos > self.pos {
            let passed = &self.text.as_bytes()[self.pos..new_pos];
            pass_lines(passed, self.pos, &mut self.line, &mut self.line_start);
        }
        self.pos = new_pos;
    }
}

/// What the previous tokens were, as far as statement boundaries and the
/// assignment state need to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Eol,
    HelpText,
    Word,
    Other,
}

impl Prev {
    fn of(t: &Tok) -> Prev {
        match t {
            Tok::Eol => Prev::Eol,
            Tok::HelpText { .. } => Prev::HelpText,
            Tok::Word(_) => Prev::Word,
            _ => Prev::Other,
        }
    }
}

pub struct Lexer {
    stack: Vec<FileCursor>,
    prev: Prev,
    prev_prev: Prev,
    pending_assign: bool,
    /// After a preprocessor error nothing more is read.
    failed: bool,
    pub warnings: Vec<LexWarning>,
}

impl Lexer {
    pub fn new(file: FileId, text: Arc<str>, prelexed: Prelexed) -> Self {
        Lexer {
            stack: vec![FileCursor {
                file,
                text,
                pos: 0,
                line: 1,
                line_start: 0,
                included_from: None,
                prelexed,
                next_prelexed: 0,
            }],
            prev: Prev::Eol,
            prev_prev: Prev::Eol,
            pending_assign: false,
            failed: false,
            warnings: Vec::new(),
        }
    }

    /// Starts reading a `source`d file; tokens come from it until it ends.
    pub fn push_file(&mut self, file: FileId, text: Arc<str>, prelexed: Prelexed, from: Loc) {
        self.stack.push(FileCursor {
            file,
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            included_from: Some(from),
            prelexed,
            next_prelexed: 0,
        });
    }

    /// The chain of `source` statements leading to the current file.
    pub fn include_chain(&self) -> Vec<(FileId, Option<Loc>)> {
        self.stack
            .iter()
            .map(|c| (c.file, c.included_from))
            .collect()
    }

    /// The next token. Blank lines produce no `Eol`: like the C lexer, an end
    /// of line is passed on only when it ends a statement.
    pub fn next(
        &mut self,
        pp: &mut Preprocessor,
        sources: &SourceMap,
    ) -> Result<Token, Box<KconfigError>> {
        loop {
            if self.failed {
                return Ok(Token::nowhere(Tok::Eof));
            }
            let token = match self.next_raw(pp, sources) {
                Ok(t) => t,
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
            };
            let at_statement_start = matches!(self.prev, Prev::Eol | Prev::HelpText);
            if at_statement_start && token.tok == Tok::Eol {
                continue;
            }
            // `NAME =`, `NAME :=`, `NAME +=` at the start of a statement: the rest
            // of the line is the raw value.
            if self.prev_prev == Prev::Eol
                && self.prev == Prev::Word
                && matches!(token.tok, Tok::Equal | Tok::ColonEqual | Tok::PlusEqual)
            {
                self.pending_assign = true;
            }
            self.prev_prev = std::mem::replace(&mut self.prev, Prev::of(&token.tok));
            return Ok(token);
        }
    }

    fn next_raw(
        &mut self,
        pp: &mut Preprocessor,
        sources: &SourceMap,
    ) -> Result<Token, Box<KconfigError>> {
        loop {
            let Some(cur) = self.stack.last_mut() else {
                return Ok(Token::nowhere(Tok::Eof));
            };
            if self.pending_assign {
                self.pending_assign = false;
                if let Some(tok) = lex_assign_value(cur) {
                    return Ok(tok);
                }
            }
            if cur.pos >= cur.text.len() {
                let end = cur.loc_at(cur.pos);
                if !matches!(self.prev, Prev::Eol | Prev::HelpText) {
                    self.warnings.push(LexWarning {
                        loc: end,
                        message: "no new line at end of file".into(),
                    });
                }
                let finished = self.stack.pop();
                if self.stack.is_empty() {
                    return Ok(Token {
                        tok: Tok::Eof,
                        loc: end,
                        len: 0,
                    });
                }
                drop(finished);
                // The end of a sourced file ends its last statement.
                return Ok(Token {
                    tok: Tok::Eol,
                    loc: end,
                    len: 0,
                });
            }
            if let Some(t) = cur.prelexed_here() {
                let usable = match t.kind {
                    PreKind::Raw(Raw::Word) => Some(Tok::Word(Text::Span {
                        start: t.start,
                        end: t.end,
                    })),
                    PreKind::String => Some(Tok::Quoted(Text::Span {
                        start: t.start + 1,
                        end: t.end - 1,
                    })),
                    PreKind::Raw(Raw::DollarWord | Raw::Quote)
                    | PreKind::Help
                    | PreKind::Unusable => None,
                    PreKind::Raw(raw) => Some(simple_tok(raw)),
                };
                if let Some(tok) = usable {
                    cur.line = t.line;
                    cur.line_start = t.line_start as usize;
                    let loc = cur.loc_at(t.start as usize);
                    cur.pass_prelexed(&t);
                    return Ok(Token {
                        tok,
                        loc,
                        len: t.end - t.start,
                    });
                }
            }
            let text = Arc::clone(&cur.text);
            let start = cur.pos;
            let mut lex = Raw::lexer(&text[start..]);
            let Some(result) = lex.next() else {
                // Only skipped input (blanks, comments) remained.
                cur.advance_to(text.len());
                continue;
            };
            let span = lex.span();
            let tok_start = start + span.start;
            let tok_end = start + span.end;
            cur.advance_to(tok_start);
            let loc = cur.loc_at(tok_start);
            match result {
                Err(()) => {
                    let ch = text[tok_start..].chars().next().unwrap_or('?');
                    self.warnings.push(LexWarning {
                        loc,
                        message: format!("ignoring unsupported character '{ch}'"),
                    });
                    cur.advance_to(tok_start + ch.len_utf8());
                }
                Ok(Raw::Word) => {
                    cur.advance_to(tok_end);
                    return Ok(Token {
                        tok: Tok::Word(Text::Span {
                            start: tok_start as u32,
                            end: tok_end as u32,
                        }),
                        loc,
                        len: (tok_end - tok_start) as u32,
                    });
                }
                Ok(Raw::DollarWord) => {
                    pp.set_file_name(sources.name(cur.file));
                    pp.line = cur.line;
                    let line_end = text[tok_start..]
                        .find('\n')
                        .map_or(text.len(), |i| tok_start + i);
                    let (expanded, used) =
                        pp.expand_token(&text[tok_start..line_end]).map_err(|m| {
                            Box::new(KconfigError::at(sources, loc, tok_end - tok_start, m))
                        })?;
                    cur.advance_to(tok_start + used);
                    if !expanded.is_empty() {
                        return Ok(Token {
                            tok: Tok::Word(Text::Owned(expanded)),
                            loc,
                            len: used as u32,
                        });
                    }
                }
                Ok(Raw::Quote) => {
                    let quote = text.as_bytes()[tok_start];
                    pp.set_file_name(sources.name(cur.file));
                    pp.line = cur.line;
                    let (value, end, warning) = lex_string(&text, tok_start + 1, quote, pp)
                        .map_err(|m| Box::new(KconfigError::at(sources, loc, 1, m)))?;
                    if let Some(message) = warning {
                        self.warnings.push(LexWarning { loc, message });
                    }
                    cur.advance_to(end);
                    return Ok(Token {
                        tok: Tok::Quoted(value),
                        loc,
                        len: (end - tok_start) as u32,
                    });
                }
                Ok(raw) => {
                    cur.advance_to(tok_end);
                    return Ok(Token {
                        tok: simple_tok(raw),
                        loc,
                        len: (tok_end - tok_start) as u32,
                    });
                }
            }
        }
    }

    /// Finds the end of a help block. Call right after the `help` line's end
    /// of line has been consumed. The token carries the block's byte range;
    /// [`render_help`] turns it into text when someone wants to read it.
    pub fn help_text(&mut self) -> Token {
        let Some(cur) = self.stack.last_mut() else {
            return Token::nowhere(Tok::HelpText { start: 0, end: 0 });
        };
        let start_loc = cur.loc_at(cur.pos);
        let start = cur.pos;
        if let Some(t) = cur.prelexed_here().filter(|t| t.kind == PreKind::Help) {
            cur.pass_prelexed(&t);
            self.prev_prev = std::mem::replace(&mut self.prev, Prev::HelpText);
            return Token {
                tok: Tok::HelpText {
                    start: t.start,
                    end: t.end,
                },
                loc: start_loc,
                len: t.end - t.start,
            };
        }
        let walked = walk_help(&cur.text, start, None);
        // The walk has counted the lines it passed.
        if let Some(line_start) = walked.last_line_start {
            cur.line += walked.newlines;
            cur.line_start = line_start;
        }
        cur.pos = walked.end;
        let end = walked.end;
        let tok = Token {
            tok: Tok::HelpText {
                start: start as u32,
                end: end as u32,
            },
            loc: start_loc,
            len: (end - start) as u32,
        };
        self.prev_prev = std::mem::replace(&mut self.prev, Prev::HelpText);
        tok
    }
}

/// A file's tokens found ahead of the parser, on the prefetch thread: what
/// lexing needs no macro for (words, keywords, plain strings, help blocks).
/// Each token records where lexing started that found it; the lexer takes a
/// token only when it stands at exactly that place, so anything the helper
/// could not lex, or lexed differently (after a macro, an assignment's raw
/// value, a string with escapes), is lexed again on the spot.
#[derive(Debug, Default, Clone)]
pub struct Prelexed {
    tokens: Vec<PreToken>,
}

#[derive(Debug, Clone, Copy)]
struct PreToken {
    lex_from: u32,
    start: u32,
    end: u32,
    /// The line of `start` and where it begins; for a help block, the line
    /// and line start where it ends.
    line: u32,
    line_start: u32,
    kind: PreKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PreKind {
    Raw(Raw),
    /// A quoted string with no macro, escape or line end.
    String,
    Help,
    /// Needs the preprocessor or a warning: left to the lexer.
    Unusable,
}

/// Finds the tokens of `text` ahead of parsing (see [`Prelexed`]).
pub fn prelex(text: &str) -> Prelexed {
    let bytes = text.as_bytes();
    if u32::try_from(bytes.len()).is_err() {
        return Prelexed::default();
    }
    let mut tokens: Vec<PreToken> = Vec::with_capacity(bytes.len() / 12);
    let (mut line, mut line_start, mut counted_to) = (1u32, 0usize, 0usize);
    let mut from = 0usize;
    let mut at_line_start = true;
    let mut help_keyword = false;
    'restart: while from < bytes.len() {
        let mut lex = Raw::lexer(&text[from..]);
        let mut lex_from = from;
        while let Some(result) = lex.next() {
            let span = lex.span();
            let (start, end) = (from + span.start, from + span.end);
            pass_lines(
                &bytes[counted_to..start],
                counted_to,
                &mut line,
                &mut line_start,
            );
            counted_to = start;
            let mut token = PreToken {
                lex_from: lex_from as u32,
                start: start as u32,
                end: end as u32,
                line,
                line_start: line_start as u32,
                kind: PreKind::Unusable,
            };
            // Where lexing goes on when this token ends it (a fresh lexer).
            let mut resume = None;
            match result {
                Ok(Raw::Quote) => match bytes
                    .get(start)
                    .and_then(|&quote| plain_string_close(bytes, start + 1, quote))
                {
                    Some(close) => {
                        token.kind = PreKind::String;
                        token.end = (close + 1) as u32;
                        resume = Some(close + 1);
                    }
                    None => resume = Some(line_end(bytes, start)),
                },
                Ok(Raw::DollarWord) | Err(()) => resume = Some(line_end(bytes, start)),
                Ok(raw) => token.kind = PreKind::Raw(raw),
            }
            tokens.push(token);
            let help_follows = help_keyword && token.kind == PreKind::Raw(Raw::Newline);
            help_keyword = at_line_start && token.kind == PreKind::Raw(Raw::Help);
            at_line_start = token.kind == PreKind::Raw(Raw::Newline);
            if token.kind == PreKind::Raw(Raw::Newline) {
                line += 1;
                line_start = end;
                counted_to = end;
            }
            if help_follows {
                let walked = walk_help(text, end, None);
                if let Some(last) = walked.last_line_start {
                    line += walked.newlines;
                    line_start = last;
                }
                counted_to = walked.end;
                tokens.push(PreToken {
                    lex_from: end as u32,
                    start: end as u32,
                    end: walked.end as u32,
                    line,
                    line_start: line_start as u32,
                    kind: PreKind::Help,
                });
                at_line_start = true;
                resume = Some(walked.end);
            }
            if let Some(next) = resume {
                from = next.max(end);
                if from > counted_to {
                    // Skipped text: count its lines before lexing on.
                    pass_lines(
                        &bytes[counted_to..from],
                        counted_to,
                        &mut line,
                        &mut line_start,
                    );
                    counted_to = from;
                }
                continue 'restart;
            }
            lex_from = end;
        }
        break;
    }
    Prelexed { tokens }
}

/// Moves a line and the offset where it starts over `passed`, the text
/// from offset `at` on.
fn pass_lines(passed: &[u8], at: usize, line: &mut u32, line_start: &mut usize) {
    // Most spans between tokens are a few blanks, where a plain loop beats
    // setting up a vectorised count.
    let newlines = if passed.len() < 64 {
        passed.iter().filter(|&&b| b == b'\n').count()
    } else {
        memchr::memchr_iter(b'\n', passed).count()
    };
    if newlines > 0 {
        *line += newlines as u32;
        if let Some(last) = memchr::memrchr(b'\n', passed) {
            *line_start = at + last + 1;
        }
    }
}

/// The offset of the end of the line holding `pos` (its `\n`, or the end).
fn line_end(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(pos..)
        .and_then(|rest| memchr::memchr(b'\n', rest))
        .map_or(bytes.len(), |i| pos + i)
}

/// The text of a help block found by [`Lexer::help_text`]: indentation
/// relative to the first line kept (tabs to 8 columns), trailing blanks
/// dropped.
pub fn render_help(text: &str, start: usize) -> String {
    let mut out = String::new();
    walk_help(text, start, Some(&mut out));
    out
}

/// Where a help block ends, and the newlines before that point.
struct HelpWalk {
    end: usize,
    newlines: u32,
    /// Just after the last newline passed, if any.
    last_line_start: Option<usize>,
}

/// Walks a help block from `start`, returning where ordinary input resumes:
/// at the first non-blank line indented less than the block's first line, or
/// after a line end followed by a line starting in column 1.
fn walk_help(text: &str, start: usize, mut out: Option<&mut String>) -> HelpWalk {
    let bytes = text.as_bytes();
    let mut first_indent = 0usize;
    let mut last_indent = 0usize;
    let mut pos = start;
    let mut newlines = 0u32;
    let mut last_line_start = None;
    let starts_in_column_1 =
        |next: Option<u8>| matches!(next, Some(c) if c != b' ' && c != b'\t' && c != b'\n');
    while pos < bytes.len() {
        let ws_start = pos;
        let mut indent = 0usize;
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            indent = if bytes[pos] == b'\t' {
                (indent & !7) + 8
            } else {
                indent + 1
            };
            pos += 1;
        }
        let had_blanks = pos > ws_start;
        if pos >= bytes.len() {
            break;
        }
        if bytes[pos] == b'\n' {
            // A blank line.
            pos += 1;
            newlines += 1;
            last_line_start = Some(pos);
            if starts_in_column_1(bytes.get(pos).copied()) {
                break;
            }
            if let Some(o) = out.as_deref_mut() {
                o.push('\n');
            }
            continue;
        }
        if had_blanks {
            last_indent = indent;
            if first_indent > 0 {
                if indent < first_indent {
                    break;
                }
                if let Some(o) = out.as_deref_mut() {
                    o.extend(std::iter::repeat_n(' ', indent - first_indent));
                }
            }
        }
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        if let Some(o) = out.as_deref_mut() {
            o.push_str(text[pos..line_end].trim_end_matches([' ', '\t']));
        }
        if first_indent == 0 {
            first_indent = last_indent;
        }
        pos = line_end;
        if pos < bytes.len() {
            pos += 1;
            newlines += 1;
            last_line_start = Some(pos);
            if starts_in_column_1(bytes.get(pos).copied()) {
                break;
            }
            if let Some(o) = out.as_deref_mut() {
                o.push('\n');
            }
        }
    }
    HelpWalk {
        end: pos,
        newlines,
        last_line_start,
    }
}

/// The value of `NAME = value`: from the first non-blank character to the end
/// of the line, verbatim. `None` when the line has no value.
fn lex_assign_value(cur: &mut FileCursor) -> Option<Token> {
    let bytes = cur.text.as_bytes();
    let mut pos = cur.pos;
    while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
        pos += 1;
    }
    if pos >= bytes.len() || bytes[pos] == b'\n' {
        cur.advance_to(pos);
        return None;
    }
    let end = cur.text[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
    cur.advance_to(pos);
    let loc = cur.loc_at(pos);
    let value = cur.text[pos..end].to_string();
    cur.advance_to(end);
    Some(Token {
        tok: Tok::AssignVal(value),
        loc,
        len: (end - pos) as u32,
    })
}

/// A quoted string starting after its opening quote. Returns the value, the
/// offset after the closing quote, and a warning for an unterminated line.
fn lex_string(
    text: &str,
    pos: usize,
    quote: u8,
    pp: &mut Preprocessor,
) -> Result<(Text, usize, Option<String>), String> {
    if let Some(close) = plain_string_close(text.as_bytes(), pos, quote) {
        let span = Text::Span {
            start: pos as u32,
            end: close as u32,
        };
        return Ok((span, close + 1, None));
    }
    lex_string_slow(text, pos, quote, pp).map(|(s, end, w)| (Text::Owned(s), end, w))
}

/// Where a string starting at `pos` closes, if it holds no macro, escape or
/// line end (most do not: their value is a slice of the file).
fn plain_string_close(bytes: &[u8], pos: usize, quote: u8) -> Option<usize> {
    let special = |c: u8| c == b'$' || c == b'\\' || c == b'\n' || c == quote;
    let i = bytes.get(pos..)?.iter().position(|&c| special(c))?;
    (bytes.get(pos + i) == Some(&quote)).then_some(pos + i)
}

fn lex_string_slow(
    text: &str,
    mut pos: usize,
    quote: u8,
    pp: &mut Preprocessor,
) -> Result<(String, usize, Option<String>), String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    loop {
        let Some(&c) = bytes.get(pos) else {
            return Ok((out, pos, None));
        };
        match c {
            b'$' => {
                let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                let (expanded, used) = pp.expand_dollar(&text[pos + 1..line_end], &[])?;
                out.push_str(&expanded);
                pos += 1 + used;
            }
            b'\\' => {
                // A backslash escapes any character except the end of the line.
                match text[pos + 1..].chars().next() {
                    Some(ch) if ch != '\n' => {
                        out.push(ch);
                        pos += 1 + ch.len_utf8();
                    }
                    _ => pos += 1,
                }
            }
            b'\n' => {
                return Ok((out, pos, Some("multi-line strings not supported".into())));
            }
            b'"' | b'\'' if c == quote => return Ok((out, pos + 1, None)),
            _ => {
                let ch = text[pos..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                pos += ch.len_utf8();
            }
        }
    }
}

/// Every token of one file, lexed the way the parser drives the lexer (a
/// help block after `help` and its end of line), printed with its place,
/// then the lexer's warnings. With `prelexed`, the tokens the prefetch
/// thread would find are used: tests and fuzzing compare the two traces.
pub fn token_trace(text: &str, prelexed: bool) -> Vec<String> {
    let mut sources = SourceMap::default();
    let text: Arc<str> = Arc::from(text);
    let file = sources.add("Kconfig".into(), "Kconfig".into(), Arc::clone(&text));
    let ahead = if prelexed {
        prelex(&text)
    } else {
        Prelexed::default()
    };
    let mut lexer = Lexer::new(file, text, ahead);
    let mut pp = Preprocessor::new(Default::default(), super::shell::ShellPolicy::Deny);
    let mut trace = Vec::new();
    let mut after_help = false;
    // Every token consumes input or ends it; the bound only guards the test.
    for _ in 0..1_000_000 {
        let token = match lexer.next(&mut pp, &sources) {
            Ok(t) => t,
            Err(e) => {
                trace.push(format!("error: {}", e.c_style()));
                break;
            }
        };
        trace.push(format!(
            "{:?} at {:?} len {}",
            token.tok, token.loc, token.len
        ));
        if token.tok == Tok::Eof {
            break;
        }
        if after_help && token.tok == Tok::Eol {
            let help = lexer.help_text();
            trace.push(format!("{:?} at {:?} len {}", help.tok, help.loc, help.len));
        }
        after_help = token.tok == Tok::Help;
    }
    trace.extend(
        lexer
            .warnings
            .iter()
            .map(|w| format!("warning at {:?}: {}", w.loc, w.message)),
    );
    trace
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRICKY: &[&str] = &[
        "config A\n\tbool \"a\"\n\thelp\n\t  Some help.\n\n\t  More.\nconfig B\n\tdef_bool y\n",
        "# comment\n\nmenu \"m\"\n  depends on A && \\\n    B\nendmenu\n",
        "config A\n\tstring \"with $(FOO) macro\"\n\tdefault \"esc\\\"aped\" if B\n",
        "config A\n\tstring \"unterminated\n\tbool\n",
        "X := $(info,hi) trailing \"quote\n$(X)\nY = raw value   \nZ += more # not a comment\n",
        "config A\n\tint \"n\"\n\trange 1 $(NUM)\n\thelp\n",
        "config A\n\tbool 'single \"q\"' if !B||C>=D\n\thelp\nno help block here\n",
        "config A\n\tbool \"x\" help\n\t  not help\n\thelp   # comment\n\t  help text\n",
        "config é@\n\tbool \"ünï\"\r\n\thelp\r\n  \tcrlf\r\n",
        "help\n  top-level help\nconfig X\n",
        "config A\n\thelp\n\t\tdeep\n\t  shallower\n\tless\n",
        "source \"a\" \"b\"\nsource 'c'\nconfig A\n\tbool\n\thelp",
        "\"\" '' \"$\" \"\\\n\" $(\n$(a,\"b)\")\nconfig\\\n",
        "config A\n\tbool \"x # not comment\" # comment \"\n\tdepends on B # \"x\n",
    ];

    #[test]
    fn tokens_found_ahead_match_lexing_on_the_spot() {
        for text in TRICKY {
            assert_eq!(
                token_trace(text, true),
                token_trace(text, false),
                "{text:?}"
            );
        }
    }

    #[test]
    fn random_text_lexes_the_same_with_tokens_found_ahead() {
        let pieces = [
            "config", " ", "\t", "\n", "help", "\"", "'", "$(", ")", "\\", "\\\n", "#", "X", "=",
            ":=", "y", "  ", "\t  ", "if", "@", "é", ",", "bool", "\r",
        ];
        let mut rng = crate::rng::SplitMix(7);
        for _ in 0..3000 {
            let len = (rng.next_u64() % 60) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(rng.next_u64() % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(
                token_trace(&text, true),
                token_trace(&text, false),
                "{text:?}"
            );
        }
    }

    #[test]
    fn most_tokens_of_plain_kconfig_are_found_ahead() {
        let text = TRICKY[0];
        let ahead = prelex(text);
        // config A EOL bool "a" EOL help EOL <help> config B EOL def_bool y EOL
        assert_eq!(ahead.tokens.len(), 15);
        assert!(ahead.tokens.iter().any(|t| t.kind == PreKind::Help));
        assert!(ahead.tokens.iter().any(|t| t.kind == PreKind::String));
    }
}
