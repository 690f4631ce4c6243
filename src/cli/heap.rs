//! The process's heap, set up for runs that build a large model quickly.
//!
//! Loading a kernel tree touches some 30 MB of fresh heap: in 4 KiB pages,
//! about 4,500 of a load's 7,000 page faults, and on a virtual machine each
//! costs microseconds. glibc grows its main heap 128 KiB at a time; here it
//! grows it once by 64 MiB and asks the kernel to back that range with
//! transparent huge pages (honoured where THP is `always` or `madvise`, the
//! usual settings). glibc's `glibc.malloc.hugetlb=1` tunable does much the
//! same, but only when set in the environment before the process starts.
//! The price is resident memory: ~40 MB instead of ~30 MB for a load.

/// Call first thing in `main`, before any other thread starts.
pub fn prefer_huge_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::grow_heap_in_huge_pages();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    const PAD: usize = 64 << 20;
    const HUGE_PAGE: usize = 2 << 20;
    /// Below glibc's default mmap threshold (128 KiB): served by the heap.
    const BLOCK: usize = 100 << 10;

    pub fn grow_heap_in_huge_pages() {
        // SAFETY: only glibc's documented entry points, with valid arguments:
        // mallopt takes a known parameter; sbrk(0) reads the program break
        // without moving it; every block malloc returns is freed (free of a
        // null pointer does nothing); madvise(MADV_HUGEPAGE) covers only
        // whole huge pages inside the range malloc has just mapped for its
        // heap, and it changes no memory contents.
        unsafe {
            if libc::mallopt(libc::M_TOP_PAD, PAD as libc::c_int) == 0 {
                return;
            }
            let before = libc::sbrk(0) as usize;
            // Make malloc extend the heap now, by the new padding.
            let mut blocks = [std::ptr::null_mut::<libc::c_void>(); 8];
            for block in blocks.iter_mut() {
                if libc::sbrk(0) as usize != before {
                    break;
                }
                *block = libc::malloc(BLOCK);
            }
            let end = libc::sbrk(0) as usize;
            let start = before.next_multiple_of(HUGE_PAGE);
            let len = end.saturating_sub(start) / HUGE_PAGE * HUGE_PAGE;
            if len > 0 {
                // Advice only: where THP is off this fails, and nothing changes.
                libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
            for block in blocks {
                libc::free(block);
            }
        }
    }
}
