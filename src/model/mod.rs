//! The Kconfig model: symbols, their properties, the menu tree, and the
//! expressions that connect them. Built by the parser, then finalized
//! ([`finalize`]) the way `scripts/kconfig` propagates dependencies.

pub mod depgraph;
pub mod display;
pub mod expr;
pub mod finalize;
pub mod simplify;

use crate::fasthash::FastMap;
use crate::frontend::source::{Loc, SourceMap};
pub use expr::{CmpOp, Expr, ExprArena, ExprId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MenuId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropId(pub u32);

/// The constant symbols every tree has.
pub const SYM_Y: SymId = SymId(0);
pub const SYM_M: SymId = SymId(1);
pub const SYM_N: SymId = SymId(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymType {
    Unknown,
    Bool,
    Tristate,
    Int,
    Hex,
    String,
}

impl SymType {
    pub fn name(self) -> &'static str {
        match self {
            SymType::Unknown => "unknown",
            SymType::Bool => "bool",
            SymType::Tristate => "tristate",
            SymType::Int => "integer",
            SymType::Hex => "hex",
            SymType::String => "string",
        }
    }

    pub fn is_boolish(self) -> bool {
        matches!(self, SymType::Bool | SymType::Tristate)
    }
}

#[derive(Debug, Clone)]
pub struct Symbol {
    /// Empty for a choice (choices have no name).
    pub name: String,
    pub ty: SymType,
    pub is_const: bool,
    pub is_choice: bool,
    /// Declared inside a `choice` block (the C tool's `choice_link`).
    pub is_choice_member: bool,
    /// `transitional`: read from old configs, never written.
    pub transitional: bool,
    /// Properties in definition order, across all definitions.
    pub props: Vec<PropId>,
    /// Menu nodes defining this symbol, in definition order.
    pub menus: Vec<MenuId>,
    /// OR of the dependencies of every definition site (`depends on`, enclosing `if`/`menu`).
    pub dir_dep: Option<ExprId>,
    /// OR of `selector && condition` over every `select` of this symbol.
    pub rev_dep: Option<ExprId>,
    /// The same for `imply`.
    pub implied: Option<ExprId>,
    /// Simplified forms of `dir_dep`, `rev_dep` and `implied`, for display.
    pub c_dir_dep: Option<simplify::FId>,
    pub c_rev_dep: Option<simplify::FId>,
    pub c_implied: Option<simplify::FId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropKind {
    Prompt,
    /// The prompt of a `menu` or `menuconfig`.
    Menu,
    Comment,
    Default,
    Select,
    Imply,
    Range,
}

impl PropKind {
    pub fn name(self) -> &'static str {
        match self {
            PropKind::Prompt => "prompt",
            PropKind::Menu => "menu",
            PropKind::Comment => "comment",
            PropKind::Default => "default",
            PropKind::Select => "select",
            PropKind::Imply => "imply",
            PropKind::Range => "range",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Property {
    pub kind: PropKind,
    /// Prompt text (prompts, menus, comments).
    pub text: Option<String>,
    /// Default value, selected/implied symbol, or range bounds (as `Cmp(Equal, lo, hi)`
    /// is not used: see `range`).
    pub expr: Option<ExprId>,
    pub range: Option<(SymId, SymId)>,
    /// The condition under which the property applies, after finalize: the
    /// `if` condition and every enclosing dependency.
    pub visible: Option<ExprId>,
    /// `visible` as the C tool simplifies it (for menu structure and display).
    pub c_visible: Option<simplify::FId>,
    /// The prompt's visibility is not just its entry's dependencies (an `if`
    /// on the prompt, or a `visible if` above it).
    pub visibility_differs: bool,
    pub menu: MenuId,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct MenuNode {
    pub sym: Option<SymId>,
    pub prompt: Option<PropId>,
    /// Own `depends on` while parsing; after finalize, all inherited dependencies too.
    pub dep: Option<ExprId>,
    /// `dep` as the C tool simplifies it (for menu structure and display).
    pub c_dep: Option<simplify::FId>,
    /// `visible if` of a menu.
    pub visibility: Option<ExprId>,
    pub parent: Option<MenuId>,
    pub first_child: Option<MenuId>,
    pub next: Option<MenuId>,
    /// The help block (rendered with [`Kconfig::help_text`]).
    pub help: Option<HelpSpan>,
    pub loc: Loc,
    pub kind: MenuKind,
    /// Choice members in priority order (choice menus only).
    pub choice_members: Vec<SymId>,
}

/// Where a help block stands in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelpSpan {
    pub file: crate::frontend::source::FileId,
    pub start: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuKind {
    Root,
    Config,
    MenuConfig,
    Choice,
    Menu,
    Comment,
    If,
}

/// A parsed and finalized Kconfig tree.
#[derive(Debug)]
pub struct Kconfig {
    pub sources: SourceMap,
    pub symbols: Vec<Symbol>,
    pub props: Vec<Property>,
    pub menus: Vec<MenuNode>,
    pub exprs: ExprArena,
    /// Simplified forms of dependencies (see [`simplify`]).
    pub forms: simplify::Forms,
    /// Whether finalize computed the simplified forms and the automatic
    /// submenus. Values and `.config` output do not depend on them; menu walks
    /// that skip hidden entries (questions, listnewconfig) and displays do.
    pub menu_structure: bool,
    pub root: MenuId,
    pub modules_sym: Option<SymId>,
    by_name: FastMap<String, SymId>,
    const_by_name: FastMap<String, SymId>,
    /// Files read, in the order `source` reached them (for auto.conf.cmd).
    pub files_read: Vec<String>,
    /// Environment variables the macros read, in first-use order.
    pub env_used: Vec<(String, String)>,
}

impl Kconfig {
    pub(crate) fn new(sources: SourceMap, root_loc: Loc) -> Self {
        let mut k = Kconfig {
            sources,
            symbols: Vec::new(),
            props: Vec::new(),
            menus: Vec::new(),
            exprs: ExprArena::default(),
            forms: simplify::Forms::default(),
            menu_structure: true,
            root: MenuId(0),
            modules_sym: None,
            by_name: FastMap::default(),
            const_by_name: FastMap::default(),
            files_read: Vec::new(),
            env_used: Vec::new(),
        };
        for name in ["y", "m", "n"] {
            k.symbols.push(Symbol {
                name: name.to_string(),
                ty: SymType::Tristate,
                is_const: true,
                ..Symbol::blank()
            });
        }
        k.menus
            .push(MenuNode::new(None, None, root_loc, MenuKind::Root));
        k
    }

    #[inline]
    pub fn sym(&self, id: SymId) -> &Symbol {
        &self.symbols[id.0 as usize]
    }

    #[inline]
    pub fn menu(&self, id: MenuId) -> &MenuNode {
        &self.menus[id.0 as usize]
    }

    #[inline]
    pub fn prop(&self, id: PropId) -> &Property {
        &self.props[id.0 as usize]
    }

    /// The symbol called `name`, as a config entry or reference (not a quoted constant).
    pub fn lookup(&self, name: &str) -> Option<SymId> {
        match name {
            "y" => Some(SYM_Y),
            "m" => Some(SYM_M),
            "n" => Some(SYM_N),
            _ => self.by_name.get(name).copied(),
        }
    }

    /// Finds or creates a symbol, as `sym_lookup` does: quoted strings become
    /// constants, distinct from a config symbol of the same name.
    pub(crate) fn intern(&mut self, name: &str, is_const: bool) -> SymId {
        match name {
            "y" => return SYM_Y,
            "m" => return SYM_M,
            "n" => return SYM_N,
            _ => {}
        }
        let table = if is_const {
            &self.const_by_name
        } else {
            &self.by_name
        };
        if let Some(&id) = table.get(name) {
            return id;
        }
        let id = SymId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            name: name.to_string(),
            is_const,
            ..Symbol::blank()
        });
        if is_const {
            self.const_by_name.insert(name.to_string(), id);
        } else {
            self.by_name.insert(name.to_string(), id);
        }
        id
    }

    pub(crate) fn new_choice_symbol(&mut self) -> SymId {
        let id = SymId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            ty: SymType::Bool,
            is_choice: true,
            ..Symbol::blank()
        });
        id
    }

    /// All named, non-constant symbols, in creation order.
    pub fn config_symbols(&self) -> impl Iterator<Item = SymId> + '_ {
        self.symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_const && !s.is_choice)
            .map(|(i, _)| SymId(i as u32))
    }

    /// Depth-first walk of the menu tree (the order of `.config`).
    pub fn menu_next(&self, m: MenuId, root: MenuId) -> Option<MenuId> {
        let node = self.menu(m);
        if let Some(c) = node.first_child {
            return Some(c);
        }
        let mut cur = m;
        loop {
            if cur == root {
                return None;
            }
            if let Some(n) = self.menu(cur).next {
                return Some(n);
            }
            cur = self.menu(cur).parent?;
        }
    }

    /// Every menu node below `root`, depth first.
    pub fn menus_below(&self, root: MenuId) -> MenuWalk<'_> {
        MenuWalk {
            k: self,
            root,
            next: self.menu_next_from_root(root),
        }
    }

    fn menu_next_from_root(&self, root: MenuId) -> Option<MenuId> {
        self.menu(root).first_child
    }

    pub fn children(&self, m: MenuId) -> Children<'_> {
        Children {
            k: self,
            next: self.menu(m).first_child,
        }
    }

    /// The menu of the choice that `sym` belongs to, found the way the C tool
    /// does: from the first definition with a prompt, up to the nearest
    /// ancestor that has a symbol.
    pub fn choice_of(&self, sym: SymId) -> Option<MenuId> {
        let first_prompted = self
            .sym(sym)
            .menus
            .iter()
            .copied()
            .find(|&m| self.menu(m).prompt.is_some())?;
        let mut cur = self.menu(first_prompted).parent;
        while let Some(m) = cur {
            if let Some(s) = self.menu(m).sym {
                return self.sym(s).is_choice.then_some(m);
            }
            cur = self.menu(m).parent;
        }
        None
    }

    pub fn prompt_text(&self, m: MenuId) -> Option<&str> {
        let node = self.menu(m);
        match node.prompt {
            Some(p) => self.prop(p).text.as_deref(),
            None => node.sym.map(|s| self.sym(s).name.as_str()),
        }
    }

    /// The help text of a menu entry, as kconfig shows it.
    pub fn help_text(&self, m: MenuId) -> Option<String> {
        let span = self.menu(m).help?;
        let text = &self.sources.get(span.file).text;
        Some(crate::frontend::lexer::render_help(
            text,
            span.start as usize,
        ))
    }

    /// The mainmenu title.
    pub fn title(&self) -> &str {
        self.prompt_text(self.root).unwrap_or("Main menu")
    }
}

pub struct MenuWalk<'a> {
    k: &'a Kconfig,
    root: MenuId,
    next: Option<MenuId>,
}

impl Iterator for MenuWalk<'_> {
    type Item = MenuId;
    fn next(&mut self) -> Option<MenuId> {
        let cur = self.next?;
        self.next = self.k.menu_next(cur, self.root);
        Some(cur)
    }
}

pub struct Children<'a> {
    k: &'a Kconfig,
    next: Option<MenuId>,
}

impl Iterator for Children<'_> {
    type Item = MenuId;
    fn next(&mut self) -> Option<MenuId> {
        let cur = self.next?;
        self.next = self.k.menu(cur).next;
        Some(cur)
    }
}

impl Symbol {
    fn blank() -> Self {
        Symbol {
            name: String::new(),
            ty: SymType::Unknown,
            is_const: false,
            is_choice: false,
            is_choice_member: false,
            transitional: false,
            props: Vec::new(),
            menus: Vec::new(),
            dir_dep: None,
            rev_dep: None,
            implied: None,
            c_dir_dep: None,
            c_rev_dep: None,
            c_implied: None,
        }
    }

    /// The symbol's name as messages show it.
    pub fn display_name(&self) -> &str {
        if self.is_choice {
            "<choice>"
        } else {
            &self.name
        }
    }
}

impl MenuNode {
    pub(crate) fn new(
        sym: Option<SymId>,
        parent: Option<MenuId>,
        loc: Loc,
        kind: MenuKind,
    ) -> Self {
        MenuNode {
            sym,
            prompt: None,
            dep: None,
            c_dep: None,
            visibility: None,
            parent,
            first_child: None,
            next: None,
            help: None,
            loc,
            kind,
            choice_members: Vec::new(),
        }
    }
}
