package dev.cachalot.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The three roles a user can have; each one includes the one before it. Deleting goes with pushing: whoever publishes
 * tags must be able to retract them, and a separate delete role would be a fourth thing to get wrong (see
 * docs/decisions/0011-users-roles-tokens.md).
 */
public enum Role {
    /** Reads: manifests, blobs, tags, referrers. */
    PULL(EnumSet.of(Permission.PULL)),
    /** Reads, and writes to local repositories: uploads, manifests, deletions. */
    PUSH(EnumSet.of(Permission.PULL, Permission.PUSH, Permission.DELETE)),
    /** Everything, including the management API. */
    ADMIN(EnumSet.allOf(Permission.class));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    public Set<Permission> permissions() {
        return permissions;
    }

    public boolean grants(Permission permission) {
        return permissions.contains(permission);
    }

    /** The lower-case name, as the command line writes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code pull}, {@code push} or {@code admin}, any case. */
    public static Role parse(String text) {
        if (text != null) {
            for (Role role : values()) {
                if (role.name().equalsIgnoreCase(text.strip())) return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "': use pull, push or admin");
    }
}
