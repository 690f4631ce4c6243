//! The non-interactive `conf` modes that assign values before writing:
//! all{no,yes,mod,def}config, defconfig and randconfig
//! (`conf_set_all_new_symbols`).

use super::{Evaluator, Tri, UserValue};
use crate::model::SymType;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewSymbolPolicy {
    No,
    Yes,
    Mod,
    /// Leave them at their defaults.
    Default,
}

impl Evaluator<'_> {
    /// Gives every prompted bool/tristate the user has not set the value of
    /// `policy` (choices keep their default member).
    pub fn set_all_new_symbols(&mut self, policy: NewSymbolPolicy) {
        let k = self.k;
        let value = match policy {
            NewSymbolPolicy::No => Tri::No,
            NewSymbolPolicy::Yes => Tri::Yes,
            NewSymbolPolicy::Mod => Tri::Mod,
            NewSymbolPolicy::Default => {
                self.clear_all_valid();
                return;
            }
        };
        for m in k.menus_below(k.root) {
            let node = k.menu(m);
            let Some(s) = node.sym else { continue };
            let sym = k.sym(s);
            if node.prompt.is_none()
                || self.has_user_value(s)
                || !matches!(sym.ty, SymType::Bool | SymType::Tristate)
                || sym.is_choice_member
                || sym.is_choice
            {
                continue;
            }
            self.set_user_raw(s, UserValue::Tri(value));
        }
        self.clear_all_valid();
    }

    /// randconfig: a random value for every prompted bool/tristate, and a
    /// random visible member for each choice. Uses its own generator, so the
    /// result differs from the C tool's for the same seed (as documented).
    pub fn set_all_random(&mut self, seed: u64, p_bool_y: u32, p_tri_y: u32, p_tri_m: u32) {
        let k = self.k;
        let mut rng = crate::rng::SplitMix(seed);
        for m in k.menus_below(k.root) {
            let node = k.menu(m);
            let Some(s) = node.sym else { continue };
            let sym = k.sym(s);
            if node.prompt.is_none()
                || self.has_user_value(s)
                || !sym.ty.is_boolish()
                || sym.is_choice_member
            {
                continue;
            }
            if sym.is_choice {
                let members: Vec<_> = k.menus_below(m).filter_map(|c| k.menu(c).sym).collect();
                if members.is_empty() {
                    continue;
                }
                let pick = members[(rng.next_u64() % members.len() as u64) as usize];
                for &mem in &members {
                    self.set_user_raw(
                        mem,
                        UserValue::Tri(if mem == pick { Tri::Yes } else { Tri::No }),
                    );
                }
                continue;
            }
            let roll = (rng.next_u64() % 100) as u32;
            let v = if sym.ty == SymType::Tristate {
                if roll < p_tri_y {
                    Tri::Yes
                } else if roll < p_tri_y + p_tri_m {
                    Tri::Mod
                } else {
                    Tri::No
                }
            } else if roll < p_bool_y {
                Tri::Yes
            } else {
                Tri::No
            };
            self.set_user_raw(s, UserValue::Tri(v));
        }
        self.clear_all_valid();
    }
}
