//! Recursive-descent parser for the Kconfig language of Linux 6.x. It builds
//! the model as it goes, because `source` statements and macro assignments
//! take effect in reading order.

use super::diag::{KconfigError, KconfigErrors};
use super::lexer::{LexWarning, Lexer, Prelexed, Text, Tok, Token};
use super::preprocess::{Flavor, MacroOutput, Preprocessor};
use super::source::{read_text, Loc, SearchPath, SourceMap};
use crate::model::{
    CmpOp, Expr, ExprId, Kconfig, MenuId, MenuKind, MenuNode, PropId, PropKind, Property, SymId,
    SymType,
};
use std::path::{Path, PathBuf};

/// Where `source` looks for files: each directory in turn (the C tool tries
/// the current directory, then `$srctree`).
#[derive(Debug, Clone, Default)]
pub struct FileResolver {
    pub search_dirs: Vec<PathBuf>,
    /// Extra in-memory files by name (used for overlays); checked first.
    pub overlays: Vec<(String, String)>,
    /// Files being read ahead on another thread (see `prefetch`).
    pub prefetch: Option<std::sync::Arc<super::prefetch::Prefetch>>,
    /// `search_dirs` with their listings, made on first use (leave it to
    /// `Default`).
    pub search: std::sync::OnceLock<SearchPath>,
}

impl FileResolver {
    pub fn in_tree(tree: &Path) -> Self {
        FileResolver {
            search_dirs: vec![tree.to_path_buf()],
            ..Default::default()
        }
    }

    /// A file's text, with its tokens when the prefetch thread found them.
    fn read(&self, path: &Path) -> std::io::Result<(std::sync::Arc<str>, Prelexed)> {
        if let Some(read) = self.prefetch.as_ref().and_then(|p| p.take(path)) {
            return Ok(read);
        }
        read_text(path).map(|text| (text, Prelexed::default()))
    }

    fn open(&self, name: &str) -> Option<(PathBuf, std::sync::Arc<str>, Prelexed)> {
        if let Some((_, text)) = self.overlays.iter().find(|(n, _)| n == name) {
            let text = std::sync::Arc::from(text.as_str());
            return Some((PathBuf::from(name), text, Prelexed::default()));
        }
        let p = Path::new(name);
        if p.is_absolute() {
            return self.read(p).ok().map(|(t, pre)| (p.to_path_buf(), t, pre));
        }
        let search = self
            .search
            .get_or_init(|| SearchPath::new(self.search_dirs.clone()));
        for full in search.candidates(name) {
            if let Ok((t, pre)) = self.read(&full) {
                return Some((full, t, pre));
            }
        }
        None
    }
}

/// What a parse produced besides the model: warnings and macro output, in order.
#[derive(Debug, Default)]
pub struct ParseReport {
    pub warnings: Vec<String>,
    pub macro_output: Vec<MacroOutput>,
}

pub struct Parser<'a> {
    k: Kconfig,
    lexer: Lexer,
    pp: &'a mut Preprocessor,
    resolver: &'a FileResolver,
    peeked: Option<Token>,
    current_menu: MenuId,
    current_entry: MenuId,
    /// The last node linked under `current_menu` (new entries go after it).
    tail: Option<MenuId>,
    current_choice: Option<MenuId>,
    errors: Vec<KconfigError>,
    warnings: Vec<String>,
    /// Nesting of blocks and of parentheses/negations, and operators in the
    /// current expression: bounded so hostile input cannot exhaust the stack
    /// of this or any later pass (all of them recurse over expressions).
    block_depth: usize,
    expr_depth: usize,
    expr_ops: usize,
    old_syntax: bool,
}

const MAX_BLOCK_DEPTH: usize = 256;
const MAX_EXPR_DEPTH: usize = 256;
const MAX_EXPR_OPERATORS: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockEnd {
    Menu,
    Choice,
    If,
}

impl BlockEnd {
    fn name(self) -> &'static str {
        match self {
            BlockEnd::Menu => "menu",
            BlockEnd::Choice => "choice",
            BlockEnd::If => "if",
        }
    }
}

/// Choices about how much of the model to build.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// Compute the simplified dependency forms and automatic submenus (see
    /// [`Kconfig::menu_structure`]). Needed by menu walks and displays.
    pub menu_structure: bool,
    /// Accept what Linux 3.x/4.x Kconfig allowed and 6.x rejects (an
    /// unquoted `source` file name), for old text such as grsecurity's.
    /// Off by default: 6.x trees are read exactly as 6.x reads them.
    pub old_syntax: bool,
    /// Leave [`final_checks`] to the caller, who can run them on another
    /// thread while it starts evaluating (and must not use the model for
    /// anything observable before they pass).
    pub defer_final_checks: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            menu_structure: true,
            old_syntax: false,
            defer_final_checks: false,
        }
    }
}

/// Parses the tree rooted at `top` (usually `Kconfig`).
pub fn parse(
    top: &str,
    resolver: &FileResolver,
    pp: &mut Preprocessor,
) -> Result<(Kconfig, ParseReport), KconfigErrors> {
    parse_with(top, resolver, pp, ParseOptions::default())
}

pub fn parse_with(
    top: &str,
    resolver: &FileResolver,
    pp: &mut Preprocessor,
    options: ParseOptions,
) -> Result<(Kconfig, ParseReport), KconfigErrors> {
    let mut sources = SourceMap::default();
    let Some((path, text, prelexed)) = resolver.open(top) else {
        return Err(KconfigErrors {
            errors: vec![KconfigError::plain(top, format!("can't find file {top}"))],
        });
    };
    let file = sources.add(top.to_string(), path, text.clone());
    let root_loc = Loc {
        file,
        offset: 0,
        line: 1,
        col: 1,
    };
    let mut k = Kconfig::new(sources, root_loc);
    k.menu_structure = options.menu_structure;
    k.files_read.push(top.to_string());
    let root = k.root;
    let mut parser = Parser {
        k,
        lexer: Lexer::new(file, text, prelexed),
        pp,
        resolver,
        peeked: None,
        current_menu: root,
        current_entry: root,
        tail: None,
        current_choice: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        block_depth: 0,
        expr_depth: 0,
        expr_ops: 0,
        old_syntax: options.old_syntax,
    };
    parser.parse_input();
    let Parser {
        mut k,
        lexer,
        pp,
        mut errors,
        mut warnings,
        ..
    } = parser;
    warnings.extend(
        lexer
            .warnings
            .iter()
            .map(|w: &LexWarning| format!("{}:warning: {}", k.sources.file_line(w.loc), w.message)),
    );
    k.env_used = pp.env_used.clone();
    let macro_output = std::mem::take(&mut pp.output);
    if errors.is_empty() {
        if k.menu(k.root).prompt.is_none() {
            let p = k.props.len();
            k.props.push(Property {
                kind: PropKind::Menu,
                text: Some("Main menu".to_string()),
                expr: None,
                range: None,
                visible: None,
                c_visible: None,
                visibility_differs: false,
                menu: k.root,
                loc: root_loc,
            });
            k.menus[k.root.0 as usize].prompt = Some(PropId(p as u32));
        }
        crate::model::finalize::finalize(&mut k, &mut warnings);
        if !options.defer_final_checks {
            errors.extend(final_checks(&k));
        }
    }
    if errors.is_empty() {
        Ok((
            k,
            ParseReport {
                warnings,
                macro_output,
            },
        ))
    } else {
        Err(KconfigErrors { errors })
    }
}

/// The checks of a whole finalized model that make a tree unusable:
/// recursive dependencies and malformed choices, in the C tool's order.
pub fn final_checks(k: &Kconfig) -> Vec<KconfigError> {
    let mut errors = Vec::new();
    if let Err(e) = crate::model::depgraph::check_recursion(k) {
        errors.push(KconfigError::plain("", e));
    }
    errors.extend(crate::model::finalize::check_choices(k));
    errors
}

impl Parser<'_> {
    // ----- tokens -----

    // Tokens travel in results whose error is boxed: a `KconfigError` is
    // some 200 bytes, and every token was copied through that much.
    fn fill(&mut self) -> Result<(), Box<KconfigError>> {
        if self.peeked.is_none() {
            let t = self.lexer.next(self.pp, &self.k.sources)?;
            self.peeked = Some(t);
        }
        Ok(())
    }

    fn peek(&mut self) -> Result<&Tok, Box<KconfigError>> {
        self.fill()?;
        Ok(&self.peeked.as_ref().expect("filled").tok)
    }

    fn take(&mut self) -> Result<Token, Box<KconfigError>> {
        self.fill()?;
        Ok(self.peeked.take().expect("filled"))
    }

    /// The source of the file a token comes from (shared, not copied).
    fn source_of(&self, t: &Token) -> std::sync::Arc<str> {
        std::sync::Arc::clone(&self.k.sources.get(t.loc.file).text)
    }

    fn text_string(&self, t: &Token, text: &Text) -> String {
        text.as_str(&self.source_of(t)).to_string()
    }

    /// Interns a word or quoted token as a symbol (quoted: a constant).
    fn intern_token(&mut self, t: &Token) -> Option<SymId> {
        let src = self.source_of(t);
        match &t.tok {
            Tok::Word(w) => Some(self.k.intern(w.as_str(&src), false)),
            Tok::Quoted(q) => Some(self.k.intern(q.as_str(&src), true)),
            _ => None,
        }
    }

    fn describe(&self, t: &Token) -> String {
        t.tok.describe(&self.source_of(t))
    }

    fn error_at(&self, t: &Token, msg: impl Into<String>) -> KconfigError {
        KconfigError::at(&self.k.sources, t.loc, t.len.max(1) as usize, msg)
    }

    fn unexpected(&self, t: &Token, wanted: &str) -> KconfigError {
        self.error_at(
            t,
            format!(
                "syntax error: expected {wanted}, found {}",
                self.describe(t)
            ),
        )
    }

    fn expect_eol(&mut self) -> Result<(), KconfigError> {
        let t = self.take()?;
        match t.tok {
            Tok::Eol => Ok(()),
            // The end of the top file does not end a statement (the end of a
            // sourced file does): a last line without its newline is an error.
            _ => Err(self.unexpected(&t, "end of line")),
        }
    }

    fn expect_quoted(&mut self) -> Result<String, KconfigError> {
        let t = self.take()?;
        match &t.tok {
            Tok::Quoted(s) => Ok(self.text_string(&t, s)),
            _ => Err(self.unexpected(&t, "a quoted string")),
        }
    }

    /// A symbol name (not a quoted constant), interned.
    fn expect_symbol_name(&mut self) -> Result<SymId, KconfigError> {
        let t = self.take()?;
        match &t.tok {
            Tok::Word(_) => self
                .intern_token(&t)
                .ok_or_else(|| self.unexpected(&t, "a symbol name")),
            _ => Err(self.unexpected(&t, "a symbol name")),
        }
    }

    /// Skips the rest of a bad statement so that parsing can go on and report
    /// further errors, as the C parser's error recovery does.
    fn recover(&mut self, err: KconfigError) {
        self.errors.push(err);
        loop {
            match self.take() {
                Ok(t) if matches!(t.tok, Tok::Eol | Tok::Eof) => {
                    if t.tok == Tok::Eof {
                        self.peeked = Some(t);
                    }
                    return;
                }
                Ok(_) => {}
                Err(_) => {
                    // A lexer error (bad macro) is fatal, as in the C tool: the
                    // lexer now reports the end of input.
                    return;
                }
            }
        }
    }

    // ----- model building (the menu_add_* operations) -----

    fn add_entry(&mut self, sym: Option<SymId>, loc: Loc, kind: MenuKind) -> MenuId {
        let id = MenuId(self.k.menus.len() as u32);
        self.k
            .menus
            .push(MenuNode::new(sym, Some(self.current_menu), loc, kind));
        match self.tail {
            Some(prev) => self.k.menus[prev.0 as usize].next = Some(id),
            None => self.k.menus[self.current_menu.0 as usize].first_child = Some(id),
        }
        self.tail = Some(id);
        self.current_entry = id;
        if let Some(s) = sym {
            self.k.symbols[s.0 as usize].menus.push(id);
        }
        id
    }

    fn open_block(&mut self) -> MenuId {
        self.block_depth += 1;
        self.current_menu = self.current_entry;
        self.tail = None;
        self.current_menu
    }

    fn close_block(&mut self) {
        self.block_depth = self.block_depth.saturating_sub(1);
        self.tail = Some(self.current_menu);
        self.current_menu = self.k.menu(self.current_menu).parent.unwrap_or(self.k.root);
    }

    fn entry_sym(&self) -> Option<SymId> {
        self.k.menu(self.current_entry).sym
    }

    fn add_prop(
        &mut self,
        kind: PropKind,
        expr: Option<ExprId>,
        cond: Option<ExprId>,
        loc: Loc,
    ) -> PropId {
        let id = PropId(self.k.props.len() as u32);
        self.k.props.push(Property {
            kind,
            text: None,
            expr,
            range: None,
            visible: cond,
            c_visible: None,
            visibility_differs: false,
            menu: self.current_entry,
            loc,
        });
        if let Some(s) = self.entry_sym() {
            self.k.symbols[s.0 as usize].props.push(id);
        }
        id
    }

    fn add_prompt(&mut self, kind: PropKind, text: String, cond: Option<ExprId>, loc: Loc) {
        let id = self.add_prop(kind, None, cond, loc);
        let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.len() != text.len() {
            self.warnings.push(format!(
                "{}:warning: leading whitespace ignored",
                self.k.sources.file_line(loc)
            ));
        }
        if self.k.menu(self.current_entry).prompt.is_some() {
            self.warnings.push(format!(
                "{}:warning: prompt redefined",
                self.k.sources.file_line(loc)
            ));
        }
        if kind == PropKind::Prompt {
            // Every enclosing menu's `visible if` limits the prompt.
            let mut visible = cond;
            let mut cur = self.k.menu(self.current_entry).parent;
            while let Some(m) = cur {
                if let Some(v) = self.k.menu(m).visibility {
                    visible = self.k.exprs.and_opt(visible, Some(v));
                }
                cur = self.k.menu(m).parent;
            }
            self.k.props[id.0 as usize].visible = visible;
        }
        self.k.props[id.0 as usize].text = Some(trimmed.to_string());
        self.k.menus[self.current_entry.0 as usize].prompt = Some(id);
    }

    fn add_dep(&mut self, e: ExprId) {
        let cur = self.k.menu(self.current_entry).dep;
        self.k.menus[self.current_entry.0 as usize].dep = self.k.exprs.and_opt(cur, Some(e));
    }

    fn set_type(&mut self, ty: SymType, loc: Loc) {
        let Some(s) = self.entry_sym() else { return };
        let old = self.k.sym(s).ty;
        if old == ty {
            return;
        }
        if old == SymType::Unknown {
            self.k.symbols[s.0 as usize].ty = ty;
            return;
        }
        let name = self.k.sym(s).display_name().to_string();
        self.warnings.push(format!(
            "{}:warning: ignoring type redefinition of '{}' from '{}' to '{}'",
            self.k.sources.file_line(loc),
            name,
            old.name(),
            ty.name()
        ));
    }

    // ----- grammar -----

    fn parse_input(&mut self) {
        match self.peek() {
            Ok(Tok::MainMenu) => {
                if let Err(e) = self.parse_mainmenu() {
                    self.recover(e);
                }
            }
            Ok(_) => {}
            Err(e) => {
                self.errors.push(*e);
                return;
            }
        }
        let end = self.parse_stmt_list(false);
        match end {
            Ok(None) => {}
            Ok(Some(t)) => {
                let e = self.error_at(
                    &t,
                    format!(
                        "unexpected '{}' outside any block",
                        self.describe(&t).trim_matches('\'')
                    ),
                );
                self.errors.push(e);
            }
            Err(e) => self.errors.push(e),
        }
    }

    fn parse_mainmenu(&mut self) -> Result<(), KconfigError> {
        let t = self.take()?;
        let text = self.expect_quoted()?;
        self.expect_eol()?;
        self.add_prompt(PropKind::Menu, text, None, t.loc);
        Ok(())
    }

    /// Parses statements until an end keyword (returned, not consumed past) or
    /// the end of input (`None`).
    fn parse_stmt_list(&mut self, in_choice: bool) -> Result<Option<Token>, KconfigError> {
        loop {
            let start = StmtStart::of(self.peek()?);
            let result = match start {
                StmtStart::Eof => return Ok(None),
                StmtStart::End => return Ok(Some(self.take()?)),
                StmtStart::Config => self.parse_config(),
                StmtStart::Comment => self.parse_comment(),
                StmtStart::If => self.parse_if(in_choice),
                StmtStart::Choice if !in_choice => self.parse_choice(),
                StmtStart::Menu if !in_choice => self.parse_menu(),
                StmtStart::Source if !in_choice => self.parse_source(),
                StmtStart::Word if !in_choice => self.parse_assignment(),
                _ => {
                    let t = self.take()?;
                    Err(self.error_at(
                        &t,
                        format!("invalid statement: unexpected {}", self.describe(&t)),
                    ))
                }
            };
            if let Err(e) = result {
                self.recover(e);
            }
        }
    }

    fn finish_block(
        &mut self,
        opener: &Token,
        entry: MenuId,
        want: BlockEnd,
        end: Option<Token>,
    ) -> Result<(), KconfigError> {
        let Some(end) = end else {
            // As the C parser does: a syntax error where the input ended,
            // then "missing end statement" for each block still open.
            if let Some(eof) = self.peeked.clone() {
                let already = self.errors.iter().any(|e| {
                    e.message
                        .starts_with("syntax error: unexpected end of file")
                });
                if !already {
                    let e = self.error_at(
                        &eof,
                        format!(
                            "syntax error: unexpected end of file inside a '{}' block",
                            want.name()
                        ),
                    );
                    self.errors.push(e);
                }
            }
            let node_loc = self.k.menu(entry).loc;
            let err = KconfigError::at(
                &self.k.sources,
                node_loc,
                opener.len.max(1) as usize,
                format!(
                    "missing end statement for this entry (expected 'end{}')",
                    want.name()
                ),
            );
            self.close_block();
            return Err(err);
        };
        let got = match end.tok {
            Tok::EndMenu => BlockEnd::Menu,
            Tok::EndChoice => BlockEnd::Choice,
            _ => BlockEnd::If,
        };
        self.close_block();
        if got != want {
            let e = self.error_at(
                &end,
                format!(
                    "unexpected 'end{}' within {} block",
                    got.name(),
                    want.name()
                ),
            );
            self.expect_eol().ok();
            return Err(e);
        }
        if end.loc.file != opener.loc.file {
            let e = self.error_at(
                &end,
                format!(
                    "'end{}' in different file than '{}' (opened at {})",
                    got.name(),
                    want.name(),
                    self.k.sources.file_line(opener.loc)
                ),
            );
            self.expect_eol().ok();
            return Err(e);
        }
        self.expect_eol()
    }

    fn parse_config(&mut self) -> Result<(), KconfigError> {
        let start = self.take()?;
        let is_menuconfig = start.tok == Tok::MenuConfig;
        let sym = self.expect_symbol_name()?;
        self.expect_eol()?;
        let entry = self.add_entry(
            Some(sym),
            start.loc,
            if is_menuconfig {
                MenuKind::MenuConfig
            } else {
                MenuKind::Config
            },
        );
        self.parse_config_options()?;
        if let Some(choice) = self.current_choice {
            let node = self.k.menu(entry);
            if node.prompt.is_none() {
                self.errors
                    .push(self.error_at(&start, "choice member must have a prompt"));
            }
            if self.k.sym(sym).ty != SymType::Bool {
                self.errors
                    .push(self.error_at(&start, "choice member must be bool"));
            }
            if !self.k.sym(sym).is_choice_member {
                self.k.symbols[sym.0 as usize].is_choice_member = true;
                self.k.menus[choice.0 as usize].choice_members.push(sym);
            }
        }
        if is_menuconfig {
            match self.k.menu(entry).prompt {
                Some(p) => self.k.props[p.0 as usize].kind = PropKind::Menu,
                None => self.warnings.push(format!(
                    "{}: warning: menuconfig statement without prompt",
                    self.k.sources.file_line(start.loc)
                )),
            }
        }
        Ok(())
    }

    fn parse_config_options(&mut self) -> Result<(), KconfigError> {
        loop {
            match self.peek()? {
                Tok::Bool | Tok::Tristate | Tok::Int | Tok::Hex | Tok::String => {
                    let t = self.take()?;
                    let ty = match t.tok {
                        Tok::Bool => SymType::Bool,
                        Tok::Tristate => SymType::Tristate,
                        Tok::Int => SymType::Int,
                        Tok::Hex => SymType::Hex,
                        _ => SymType::String,
                    };
                    if let Tok::Quoted(_) = self.peek()? {
                        let text = self.expect_quoted()?;
                        let cond = self.parse_if_expr()?;
                        self.add_prompt(PropKind::Prompt, text, cond, t.loc);
                    }
                    self.expect_eol()?;
                    self.set_type(ty, t.loc);
                }
                Tok::Prompt => {
                    let t = self.take()?;
                    let text = self.expect_quoted()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    self.add_prompt(PropKind::Prompt, text, cond, t.loc);
                }
                Tok::Default | Tok::DefBool | Tok::DefTristate => {
                    let t = self.take()?;
                    let value = self.parse_expr()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    self.add_prop(PropKind::Default, Some(value), cond, t.loc);
                    match t.tok {
                        Tok::DefBool => self.set_type(SymType::Bool, t.loc),
                        Tok::DefTristate => self.set_type(SymType::Tristate, t.loc),
                        _ => {}
                    }
                }
                Tok::Select | Tok::Imply => {
                    let t = self.take()?;
                    let target = self.expect_symbol_name()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    let e = self.k.exprs.add(Expr::Sym(target));
                    let kind = if t.tok == Tok::Select {
                        PropKind::Select
                    } else {
                        PropKind::Imply
                    };
                    self.add_prop(kind, Some(e), cond, t.loc);
                }
                Tok::Range => {
                    let t = self.take()?;
                    let lo = self.parse_symbol()?;
                    let hi = self.parse_symbol()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    let p = self.add_prop(PropKind::Range, None, cond, t.loc);
                    self.k.props[p.0 as usize].range = Some((lo, hi));
                }
                Tok::Modules => {
                    let t = self.take()?;
                    self.expect_eol()?;
                    let sym = self.entry_sym();
                    if let (Some(old), Some(new)) = (self.k.modules_sym, sym) {
                        let msg = format!(
                            "symbol '{}' redefines option 'modules' already defined by symbol '{}'",
                            self.k.sym(new).name,
                            self.k.sym(old).name
                        );
                        self.errors.push(self.error_at(&t, msg));
                    }
                    self.k.modules_sym = sym;
                }
                Tok::Transitional => {
                    self.take()?;
                    self.expect_eol()?;
                    if let Some(s) = self.entry_sym() {
                        self.k.symbols[s.0 as usize].transitional = true;
                    }
                }
                Tok::Depends => self.parse_depends()?,
                Tok::Help => self.parse_help()?,
                _ => return Ok(()),
            }
        }
    }

    fn parse_depends(&mut self) -> Result<(), KconfigError> {
        self.take()?;
        let t = self.take()?;
        if t.tok != Tok::On {
            return Err(self.unexpected(&t, "'on'"));
        }
        let e = self.parse_expr()?;
        self.expect_eol()?;
        self.add_dep(e);
        Ok(())
    }

    fn parse_help(&mut self) -> Result<(), KconfigError> {
        let t = self.take()?;
        // The end of the `help` line; then the lexer reads the indented block.
        self.expect_eol()?;
        let help = self.lexer.help_text();
        let Tok::HelpText { start, end } = help.tok else {
            return Ok(());
        };
        let entry = self.current_entry;
        // Named only in warnings.
        let name = || {
            self.k
                .menu(entry)
                .sym
                .map(|s| self.k.sym(s).display_name().to_string())
                .unwrap_or_else(|| "<choice>".into())
        };
        if self.k.menu(entry).help.is_some() {
            let name = name();
            self.warnings.push(format!(
                "{}: warning: '{name}' defined with more than one help text -- only the last one will be used",
                self.k.sources.file_line(t.loc)
            ));
        }
        let raw = self.source_of(&help);
        if raw
            .get(start as usize..end as usize)
            .unwrap_or("")
            .trim()
            .is_empty()
        {
            let name = name();
            self.warnings.push(format!(
                "{}: warning: '{name}' defined with blank help text",
                self.k.sources.file_line(t.loc)
            ));
        }
        self.k.menus[entry.0 as usize].help = Some(crate::model::HelpSpan {
            file: help.loc.file,
            start,
        });
        Ok(())
    }

    fn parse_choice(&mut self) -> Result<(), KconfigError> {
        let start = self.take()?;
        if self.block_depth >= MAX_BLOCK_DEPTH {
            return Err(self.error_at(
                &start,
                format!("blocks nested more than {MAX_BLOCK_DEPTH} levels deep"),
            ));
        }
        self.expect_eol()?;
        let sym = self.k.new_choice_symbol();
        let entry = self.add_entry(Some(sym), start.loc, MenuKind::Choice);
        loop {
            match self.peek()? {
                Tok::Prompt | Tok::Bool => {
                    let t = self.take()?;
                    let text = self.expect_quoted()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    self.add_prompt(PropKind::Prompt, text, cond, t.loc);
                }
                Tok::Default => {
                    let t = self.take()?;
                    let target = self.expect_symbol_name()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    let e = self.k.exprs.add(Expr::Sym(target));
                    self.add_prop(PropKind::Default, Some(e), cond, t.loc);
                }
                Tok::Depends => self.parse_depends()?,
                Tok::Help => self.parse_help()?,
                _ => break,
            }
        }
        if self.k.menu(entry).prompt.is_none() {
            self.errors
                .push(self.error_at(&start, "choice must have a prompt"));
        }
        self.open_block();
        self.current_choice = Some(entry);
        let end = self.parse_stmt_list(true);
        self.current_choice = None;
        let end = end?;
        self.finish_block(&start, entry, BlockEnd::Choice, end)
    }

    fn parse_comment(&mut self) -> Result<(), KconfigError> {
        let start = self.take()?;
        let text = self.expect_quoted()?;
        self.expect_eol()?;
        self.add_entry(None, start.loc, MenuKind::Comment);
        self.add_prompt(PropKind::Comment, text, None, start.loc);
        while self.peek()? == &Tok::Depends {
            self.parse_depends()?;
        }
        Ok(())
    }

    fn parse_if(&mut self, in_choice: bool) -> Result<(), KconfigError> {
        let start = self.take()?;
        if self.block_depth >= MAX_BLOCK_DEPTH {
            return Err(self.error_at(
                &start,
                format!("blocks nested more than {MAX_BLOCK_DEPTH} levels deep"),
            ));
        }
        let cond = self.parse_expr()?;
        self.expect_eol()?;
        let entry = self.add_entry(None, start.loc, MenuKind::If);
        self.add_dep(cond);
        self.open_block();
        let end = self.parse_stmt_list(in_choice)?;
        self.finish_block(&start, entry, BlockEnd::If, end)
    }

    fn parse_menu(&mut self) -> Result<(), KconfigError> {
        let start = self.take()?;
        if self.block_depth >= MAX_BLOCK_DEPTH {
            return Err(self.error_at(
                &start,
                format!("blocks nested more than {MAX_BLOCK_DEPTH} levels deep"),
            ));
        }
        let text = self.expect_quoted()?;
        self.expect_eol()?;
        let entry = self.add_entry(None, start.loc, MenuKind::Menu);
        self.add_prompt(PropKind::Menu, text, None, start.loc);
        loop {
            match self.peek()? {
                Tok::Visible => {
                    self.take()?;
                    let cond = self.parse_if_expr()?;
                    self.expect_eol()?;
                    let cur = self.k.menu(entry).visibility;
                    self.k.menus[entry.0 as usize].visibility = self.k.exprs.and_opt(cur, cond);
                }
                Tok::Depends => self.parse_depends()?,
                _ => break,
            }
        }
        self.open_block();
        let end = self.parse_stmt_list(false)?;
        self.finish_block(&start, entry, BlockEnd::Menu, end)
    }

    fn parse_source(&mut self) -> Result<(), KconfigError> {
        let start = self.take()?;
        let old_syntax = self.old_syntax;
        let name = match self.peek()? {
            Tok::Word(_) if old_syntax => {
                // 3.x read `source dir/Kconfig` as one word of letters,
                // digits, `_-/.`; take it from the line's text.
                let t = self.take()?;
                let text = self.source_of(&t);
                let name: String = text
                    .get(t.loc.offset as usize..)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "_-/.".contains(*c))
                    .collect();
                while !matches!(self.peek()?, Tok::Eol | Tok::Eof) {
                    self.take()?;
                }
                name
            }
            _ => self.expect_quoted()?,
        };
        self.expect_eol()?;
        let chain = self.lexer.include_chain();
        if chain.iter().any(|(f, _)| self.k.sources.name(*f) == name) {
            let mut msg =
                format!("Recursive inclusion detected.\nInclusion path:\n  current file : {name}");
            msg.push_str(&format!(
                "\n  included from: {}",
                self.k.sources.file_line(start.loc)
            ));
            for (_, from) in chain.iter().rev() {
                if let Some(from) = from {
                    msg.push_str(&format!(
                        "\n  included from: {}",
                        self.k.sources.file_line(*from)
                    ));
                }
            }
            return Err(self.error_at(&start, msg));
        }
        let Some((path, text, prelexed)) = self.resolver.open(&name) else {
            return Err(self.error_at(&start, format!("can't open file \"{name}\"")));
        };
        let file = self.k.sources.add(name.clone(), path, text.clone());
        self.k.files_read.push(name);
        self.lexer.push_file(file, text, prelexed, start.loc);
        Ok(())
    }

    fn parse_assignment(&mut self) -> Result<(), KconfigError> {
        let name_tok = self.take()?;
        let name = match &name_tok.tok {
            Tok::Word(w) => self.text_string(&name_tok, w),
            _ => return Err(self.unexpected(&name_tok, "a variable name")),
        };
        let op = self.take()?;
        let flavor = match op.tok {
            Tok::Equal => Flavor::Recursive,
            Tok::ColonEqual => Flavor::Simple,
            Tok::PlusEqual => Flavor::Append,
            _ => {
                return Err(self.error_at(&name_tok, format!("unknown statement \"{name}\"")));
            }
        };
        let value = match self.peek()? {
            Tok::AssignVal(_) => match self.take()?.tok {
                Tok::AssignVal(v) => v,
                _ => String::new(),
            },
            _ => String::new(),
        };
        self.expect_eol()?;
        self.pp
            .set_file_name(self.k.sources.name(name_tok.loc.file));
        self.pp.line = name_tok.loc.line;
        self.pp
            .add_variable(&name, &value, flavor)
            .map_err(|m| self.error_at(&name_tok, m))
    }

    // ----- expressions -----

    fn parse_if_expr(&mut self) -> Result<Option<ExprId>, KconfigError> {
        if self.peek()? == &Tok::If {
            self.take()?;
            Ok(Some(self.parse_expr()?))
        } else {
            Ok(None)
        }
    }

    fn parse_symbol(&mut self) -> Result<SymId, KconfigError> {
        let t = self.take()?;
        self.intern_token(&t)
            .ok_or_else(|| self.unexpected(&t, "a symbol or constant"))
    }

    fn parse_expr(&mut self) -> Result<ExprId, KconfigError> {
        if self.expr_depth == 0 {
            self.expr_ops = 0;
        }
        let mut left = self.parse_and()?;
        while self.peek()? == &Tok::Or {
            self.count_operator()?;
            self.take()?;
            let right = self.parse_and()?;
            left = self.k.exprs.add(Expr::Or(left, right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<ExprId, KconfigError> {
        let mut left = self.parse_unary()?;
        while self.peek()? == &Tok::And {
            self.count_operator()?;
            self.take()?;
            let right = self.parse_unary()?;
            left = self.k.exprs.add(Expr::And(left, right));
        }
        Ok(left)
    }

    fn count_operator(&mut self) -> Result<(), KconfigError> {
        self.expr_ops += 1;
        if self.expr_ops > MAX_EXPR_OPERATORS {
            let t = self.take()?;
            return Err(self.error_at(
                &t,
                format!("expression has more than {MAX_EXPR_OPERATORS} operators"),
            ));
        }
        Ok(())
    }

    fn parse_unary(&mut self) -> Result<ExprId, KconfigError> {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            let t = self.take()?;
            return Err(self.error_at(
                &t,
                format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
            ));
        }
        self.expr_depth += 1;
        self.count_operator()?;
        let result = self.parse_unary_inner();
        self.expr_depth -= 1;
        result
    }

    fn parse_unary_inner(&mut self) -> Result<ExprId, KconfigError> {
        match self.peek()? {
            Tok::Not => {
                self.take()?;
                let inner = self.parse_unary()?;
                Ok(self.k.exprs.add(Expr::Not(inner)))
            }
            Tok::OpenParen => {
                self.take()?;
                let inner = self.parse_expr()?;
                let t = self.take()?;
                if t.tok != Tok::CloseParen {
                    return Err(self.unexpected(&t, "')'"));
                }
                Ok(inner)
            }
            _ => {
                let left = self.parse_symbol()?;
                let op = match self.peek()? {
                    Tok::Equal => Some(CmpOp::Equal),
                    Tok::Unequal => Some(CmpOp::Unequal),
                    Tok::Less => Some(CmpOp::Less),
                    Tok::LessEqual => Some(CmpOp::LessEqual),
                    Tok::Greater => Some(CmpOp::Greater),
                    Tok::GreaterEqual => Some(CmpOp::GreaterEqual),
                    _ => None,
                };
                match op {
                    Some(op) => {
                        self.take()?;
                        let right = self.parse_symbol()?;
                        Ok(self.k.exprs.add(Expr::Cmp(op, left, right)))
                    }
                    None => Ok(self.k.exprs.add(Expr::Sym(left))),
                }
            }
        }
    }
}

/// What kind of statement the next token starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StmtStart {
    Eof,
    End,
    Config,
    Comment,
    If,
    Choice,
    Menu,
    Source,
    Word,
    Other,
}

impl StmtStart {
    fn of(t: &Tok) -> Self {
        match t {
            Tok::Eof => StmtStart::Eof,
            Tok::EndMenu | Tok::EndChoice | Tok::EndIf => StmtStart::End,
            Tok::Config | Tok::MenuConfig => StmtStart::Config,
            Tok::Comment => StmtStart::Comment,
            Tok::If => StmtStart::If,
            Tok::Choice => StmtStart::Choice,
            Tok::Menu => StmtStart::Menu,
            Tok::Source => StmtStart::Source,
            Tok::Word(_) => StmtStart::Word,
            _ => StmtStart::Other,
        }
    }
}
