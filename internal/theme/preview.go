package theme

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// HostPages renders a host's page templates (<package>/pages/templates:
// base.html plus one file per page defining "content", executed as
// "base"; docs/pages.md) with sample data, the way the generated package
// does, so the preview is the host's real markup, edits included. The
// templates use no custom functions, so they parse here unchanged. They
// are read again for every preview, so an edit shows on the next reload.
type HostPages struct {
	// Dir is the templates folder.
	Dir string
	// AppName is shown in the header.
	AppName string
}

// previewPages are the pages shown side by side: the two every visitor
// sees first and the account page, together using every variable.
func previewPages() []string { return []string{"login", "register", "me"} }

// Pages returns the previewable pages whose template exists.
func (h HostPages) Pages() []string {
	var out []string
	for _, p := range previewPages() {
		if _, err := os.Stat(filepath.Join(h.Dir, p+".html")); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Render executes page with sample data, linking css.
func (h HostPages) Render(w io.Writer, page string, css []string) error {
	base, err := os.ReadFile(filepath.Join(h.Dir, "base.html"))
	if err != nil {
		return err
	}
	src, err := os.ReadFile(filepath.Join(h.Dir, page+".html"))
	if err != nil {
		return err
	}
	t, err := template.New("base.html").Parse(string(base))
	if err != nil {
		return fmt.Errorf("base.html: %w", err)
	}
	if _, err := t.New(page + ".html").Parse(string(src)); err != nil {
		return fmt.Errorf("%s.html: %w", page, err)
	}
	data := h.sample(page, css, string(base)+string(src))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// previewField mirrors the fields of the generated package's formField.
type previewField struct {
	ID, Name, Label, Type, Autocomplete, Value string
	Required                                   bool
	MinLength, MaxLength                       int
	Hint, Error, ErrorID                       string
}

// previewUser mirrors pageUser.
type previewUser struct {
	Email, FullName     string
	Verified            bool
	HasPassword         bool
	Created, CreatedISO string
}

// sample is the data of one page: the fields docs/pages.md lists, as a
// map so a field the host's templates do not know costs nothing and one
// the generated handler does not set is simply empty. Each page shows a
// different state (an error, a field error, a notice) so every colour of
// the theme appears in some preview.
func (h HostPages) sample(page string, css []string, src string) map[string]any {
	titles := map[string]string{"login": "Sign in", "register": "Create your account", "me": "Your account"}
	app := h.AppName
	if app == "" {
		app = "Demo"
	}
	links := map[string]string{}
	for _, l := range []string{"Login", "Register", "Me", "Verify", "ConfirmEmailChange", "ResendVerification", "Profile", "ChangePassword", "ChangeEmail", "Logout", "LogoutOthers"} {
		links[l] = "#" + l
	}
	// The optional flows' links exist only when the host has their pages.
	for l, file := range map[string]string{"Forgot": "forgot.html", "Reset": "reset.html", "DeleteAccount": "delete-account.html"} {
		if _, err := os.Stat(filepath.Join(h.Dir, file)); err == nil {
			links[l] = "#" + l
		}
	}
	fields := map[string]previewField{}
	for _, key := range fieldKeys(src) {
		fields[key] = sampleField(key)
	}
	d := map[string]any{
		"Page": page, "Title": titles[page], "Lang": "en", "AppName": app,
		"BrandLogoURL": "", "BrandTagline": "",
		"Stylesheets": css, "Links": links, "Fields": fields,
		"AllowRegistration": true, "Token": "", "Next": "", "Done": false, "ShowResend": false,
		"Notice": "", "Alert": "",
	}
	switch page {
	case "login":
		d["Alert"] = "Invalid email or password."
		if f, ok := fields["login.email"]; ok {
			f.Value = "ada@example.com"
			fields["login.email"] = f
		}
	case "register":
		for key, f := range fields {
			switch {
			case strings.HasSuffix(key, ".email"):
				f.Value = "ada@example.com"
			case strings.HasSuffix(key, ".full_name"):
				f.Value = "Ada Lovelace"
			case strings.HasSuffix(key, ".password"):
				f.Error = "Use at least 8 characters."
			}
			fields[key] = f
		}
	case "me":
		d["Notice"] = "Your name was saved."
		d["User"] = &previewUser{Email: "ada@example.com", FullName: "Ada Lovelace", Verified: true, HasPassword: true, Created: "3 December 2026", CreatedISO: "2026-12-03T10:00:00Z"}
		for key, f := range fields {
			if strings.HasSuffix(key, ".full_name") {
				f.Value = "Ada Lovelace"
				fields[key] = f
			}
		}
	}
	return d
}

// fieldKeys finds the "<form>.<name>" keys the templates look up in
// .Fields, so the sample has exactly the inputs the host's markup shows.
func fieldKeys(src string) []string {
	re := regexp.MustCompile(`Fields\s+"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"`)
	seen := map[string]bool{}
	var out []string
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// sampleField makes a plausible input for key from its name, the way the
// generated handlers describe theirs.
func sampleField(key string) previewField {
	form, name, _ := strings.Cut(key, ".")
	id := form + "-" + strings.ReplaceAll(name, "_", "-")
	f := previewField{ID: id, Name: name, Type: "text", Required: true, ErrorID: id + "-error"}
	f.Label = strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
	switch {
	case strings.Contains(name, "email"):
		f.Type, f.Autocomplete = "email", "email"
	case strings.Contains(name, "password"):
		f.Type, f.Autocomplete = "password", "current-password"
		if name == "new_password" || form == "register" || form == "reset" {
			f.Autocomplete, f.MinLength, f.MaxLength, f.Hint = "new-password", 8, 128, "8 to 128 characters."
		}
	case name == "full_name":
		f.Label, f.Autocomplete, f.Required = "Name", "name", false
	case name == "token" || name == "next":
		f.Type = "hidden"
	}
	return f
}

// TemplatesDir and the static files of a generated package.
func TemplatesDir(pkgDir string) string { return filepath.Join(pkgDir, "pages", "templates") }

// StaticDir is the folder of core.css and theme.css.
func StaticDir(pkgDir string) string { return filepath.Join(pkgDir, "pages", "static") }

// HasPages reports whether the package at pkgDir was generated with the
// pages feature.
func HasPages(pkgDir string) (bool, error) {
	_, err := os.Stat(filepath.Join(TemplatesDir(pkgDir), "base.html"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
