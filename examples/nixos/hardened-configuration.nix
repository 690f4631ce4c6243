# A hardened NixOS kernel today: KSPP-style options through a kernel patch
# without a patch file (structuredExtraConfig), plus sysctls.
{ lib, pkgs, ... }:
{
  boot.kernelPatches = [
    {
      name = "hardening";
      patch = null;
      structuredExtraConfig = with lib.kernel; {
        STRICT_KERNEL_RWX = yes;
        STRICT_MODULE_RWX = yes;
        STACKPROTECTOR_STRONG = yes;
        HARDENED_USERCOPY = yes;
        FORTIFY_SOURCE = yes;
        INIT_ON_ALLOC_DEFAULT_ON = yes;
        SLAB_FREELIST_HARDENED = yes;
        SECURITY_YAMA = yes;
        SECURITY_DMESG_RESTRICT = yes;
        DEVMEM = no;
        PROC_KCORE = no;
        KEXEC = no;
        HIBERNATION = lib.mkForce no;
        LEGACY_VSYSCALL_NONE = yes;
        X86_VSYSCALL_EMULATION = no;
        MODIFY_LDT_SYSCALL = no;
        IO_URING = option no;
        RANDSTRUCT_FULL = whenAtLeast "5.19" yes;
        DEVKMEM = whenOlder "5.13" no;
      };
      extraConfig = ''
        KCMP n
      '';
    }
  ];
  boot.kernel.sysctl = {
    "kernel.kptr_restrict" = 2;
    "kernel.yama.ptrace_scope" = 1;
    "kernel.kexec_load_disabled" = 1;
  };
}
