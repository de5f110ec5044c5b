// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// asset is one stylesheet, served under a name that carries a hash of its
// content ("theme.1a2b3c4d5e6f.css"). A changed file gets a new URL, so
// browsers may keep each URL for a year without ever showing a stale theme.
type asset struct {
	body        []byte
	contentType string
}

// loadAssets reads the stylesheets and names each by its content's hash.
// Every page links them in this order: the structure, then the theme's
// variables (theme_css_url comes after both, so its rules win).
func (ps *pageServer) loadAssets() error {
	ps.assets = map[string]asset{}
	for _, name := range []string{"core.css", "theme.css"} {
		body, err := fs.ReadFile(pageStaticFiles, "pages/static/"+name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ps.assets[hashed] = asset{body: body, contentType: "text/css; charset=utf-8"}
		ps.styles = append(ps.styles, ps.static+"/"+hashed)
	}
	return nil
}

// serveAsset answers GET {static_prefix}/{file}: a known hashed name, or
// 404 (there is no directory listing and no other file).
func (ps *pageServer) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := ps.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	// The name changes with the content, so the content under a name never
	// does.
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}
