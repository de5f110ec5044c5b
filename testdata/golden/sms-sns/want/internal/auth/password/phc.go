// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package password

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// b64 is the PHC string encoding: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// hashWithSalt derives the key and formats the PHC string the way
// argon2-cffi does. p must be valid.
func hashWithSalt(p Params, plain string, salt []byte) string {
	key := argon2.IDKey([]byte(plain), salt, p.TimeCost, p.MemoryKiB, p.Parallelism, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.TimeCost, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// phc is a parsed Argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// parse reads an Argon2id v19 PHC string as argon2-cffi writes it. It
// answers false for anything else, including parameters outside the limits
// Params.Validate enforces.
func parse(s string) (phc, bool) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, false
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, false
	}
	var ph phc
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || seen[name] {
			return phc{}, false
		}
		seen[name] = true
		// Digits only: ParseUint would also accept "+1" or "0x10" style input
		// with other bases, and a PHC string never contains those.
		if value == "" || strings.TrimLeft(value, "0123456789") != "" {
			return phc{}, false
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return phc{}, false
		}
		switch name {
		case "m":
			ph.params.MemoryKiB = uint32(n)
		case "t":
			ph.params.TimeCost = uint32(n)
		case "p":
			if n > 255 {
				return phc{}, false
			}
			ph.params.Parallelism = uint8(n)
		default:
			return phc{}, false
		}
	}
	if len(seen) != 3 {
		return phc{}, false
	}
	var err error
	if ph.salt, err = b64.DecodeString(parts[4]); err != nil {
		return phc{}, false
	}
	if ph.key, err = b64.DecodeString(parts[5]); err != nil {
		return phc{}, false
	}
	ph.params.SaltLen = uint32(len(ph.salt))
	ph.params.KeyLen = uint32(len(ph.key))
	if ph.params.Validate() != nil {
		return phc{}, false
	}
	return ph, true
}
