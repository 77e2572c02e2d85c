package dev.cachalot.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Signs and checks the engine's own tokens: JWTs (HS256 with the first of its {@link TokenKeys}, named in the
 * {@code kid} header, and checked with the key a token names) in the shape of the Docker token specification:
 * {@code sub}, {@code aud} (the service), {@code exp}, and the granted {@code access} list. Access tokens live {@link #ACCESS_LIFETIME}; refresh tokens (containerd's {@code access_type=offline})
 * {@link #REFRESH_LIFETIME}, and carry no access of their own. Both name the access token they were obtained with
 * ({@code tid}), so its revocation ends them at once: {@link Authority} checks the signer-in still exists on every use.
 */
final class TokenIssuer {
    static final String ISSUER = "cachalot";
    static final Duration ACCESS_LIFETIME = Duration.ofMinutes(5);
    static final Duration REFRESH_LIFETIME = Duration.ofDays(7);
    private static final String KIND = "cachalot_kind";

    enum Kind { ACCESS, REFRESH }

    /** What a checked token says. @param access null for a refresh token */
    record Claims(Kind kind, Principal principal, List<Scope> access, Instant expires) {
    }

    private final MACSigner signer;
    private final String signingKeyId;
    /** By key id; the signing key's also checks tokens without a {@code kid} (signed before keys had ids). */
    private final Map<String, MACVerifier> verifiers = new HashMap<>();
    private final String service;
    private final Clock clock;

    TokenIssuer(TokenKeys keys, String service, Clock clock) {
        try {
            this.signer = new MACSigner(keys.signing().secret());
            for (TokenKeys.Key key : keys.all()) verifiers.put(key.id(), new MACVerifier(key.secret()));
        } catch (JOSEException e) {
            // Nimbus's message names the key's length at most, never the key.
            throw new IllegalStateException("unusable token signing key: " + e.getMessage(), e);
        }
        this.signingKeyId = keys.signing().id();
        this.service = service;
        this.clock = clock;
    }

    String issue(Kind kind, Principal principal, List<Scope> access, Instant now) {
        Duration lifetime = kind == Kind.ACCESS ? ACCESS_LIFETIME : REFRESH_LIFETIME;
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(service)
                .subject(principal.anonymous() ? "" : principal.user())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim(KIND, kind.name().toLowerCase(java.util.Locale.ROOT));
        if (principal.tokenId() != null) claims.claim("tid", principal.tokenId());
        if (kind == Kind.ACCESS) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Scope s : access) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("type", s.type());
                entry.put("name", s.name());
                entry.put("actions", new ArrayList<>(s.actions().stream().sorted().toList()));
                list.add(entry);
            }
            claims.claim("access", list);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signingKeyId).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * The claims of a token signed with one of these keys, of {@code kind}, not expired; null for anything else (a key
     * this engine does not hold included).
     */
    Claims check(String token, Kind kind) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            String keyId = jwt.getHeader().getKeyID();
            MACVerifier verifier = verifiers.get(keyId == null ? signingKeyId : keyId);
            if (verifier == null || !JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!ISSUER.equals(claims.getIssuer()) || claims.getAudience() == null || !claims.getAudience().contains(service)
                    || !kind.name().toLowerCase(java.util.Locale.ROOT).equals(claims.getStringClaim(KIND))
                    || claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())
                    || (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant()))) {
                return null;
            }
            String subject = claims.getSubject();
            Principal principal = subject == null || subject.isEmpty() ? Principal.ANONYMOUS
                    : new Principal(subject, claims.getStringClaim("tid"));
            List<Scope> access = null;
            if (kind == Kind.ACCESS) {
                access = new ArrayList<>();
                Object list = claims.getClaim("access");
                if (list instanceof List<?> entries) {
                    for (Object e : entries) {
                        if (e instanceof Map<?, ?> m && m.get("type") instanceof String type && m.get("name") instanceof String name
                                && m.get("actions") instanceof List<?> actions) {
                            Set<String> a = new LinkedHashSet<>();
                            for (Object action : actions) if (action instanceof String s) a.add(s);
                            access.add(new Scope(type, name, a));
                        }
                    }
                }
            }
            return new Claims(kind, principal, access, claims.getExpirationTime().toInstant());
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null;
        }
    }
}
