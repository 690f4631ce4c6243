# The configuration.nix excerpt of the "Hardened NixOS" page (November 2013):
# a grsecurity kernel with its options given as kernelExtraConfig.
{ config, pkgs, ... }:
{
  nixpkgs.config = {
    grsecurity = true;

    packageOverrides = pkgs: {
      linuxPackages = pkgs.linuxPackages_3_2_grsecurity;

      stdenv = pkgs.stdenv // {
        platform = pkgs.stdenv.platform // {
          kernelExtraConfig = ''
            XEN n
            HIBERNATION n
            DEVKMEM? n
            GRKERNSEC y
            GRKERNSEC_CONFIG_AUTO y
            GRKERNSEC_CONFIG_DESKTOP y
            GRKERNSEC_CONFIG_VIRT_HOST y
            GRKERNSEC_CONFIG_VIRT_EPT y
            GRKERNSEC_CONFIG_VIRT_KVM y
            GRKERNSEC_CONFIG_PRIORITY_SECURITY y
            GRKERNSEC_PROC_USER y
            GRKERNSEC_PROC_GID 0
            GRKERNSEC_CHROOT_CHMOD n
            GRKERNSEC_SYSCTL n
          '';
        };
      };
    };
  };
}
