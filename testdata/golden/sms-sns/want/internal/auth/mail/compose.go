// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// templates holds the built-in emails: for each kind, <kind>.subject.txt and
// <kind>.txt (text/template) and <kind>.html (html/template).
//
//go:embed templates/*.txt templates/*.html
var templates embed.FS

// Data is what templates see: {{.AppName}}, {{.FullName}} ("" when the user
// gave none, and always "" in the kinds listed by toUnverified),
// {{.URL}}, {{.NewEmail}}, {{.PreviousEmail}}, {{.TTLMinutes}}.
type Data struct {
	AppName, FullName, URL, NewEmail, PreviousEmail string
	TTLMinutes                                      int
}

// Composer renders emails from templates. Templates are parsed once by
// NewComposer, so a broken override fails at startup, not at first use.
type Composer struct {
	appName, from string
	kinds         map[string]kindTemplates
}

type kindTemplates struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// NewComposer parses the templates. For each file, overrides (if non-nil)
// is consulted first, under the same name without the templates/ folder
// (e.g. "verification.html"), so a host can replace single files. appName
// fills Data.AppName when the caller leaves it empty; from is the From
// header of every message.
func NewComposer(overrides fs.FS, appName, from string) (*Composer, error) {
	c := &Composer{appName: appName, from: from, kinds: map[string]kindTemplates{}}
	read := func(name string) (string, error) {
		if overrides != nil {
			data, err := fs.ReadFile(overrides, name)
			if err == nil {
				return string(data), nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("mail: reading template override %s: %w", name, err)
			}
		}
		data, err := templates.ReadFile("templates/" + name)
		if err != nil {
			return "", fmt.Errorf("mail: built-in template %s: %w", name, err)
		}
		return string(data), nil
	}
	for _, kind := range Kinds() {
		var kt kindTemplates
		src, err := read(kind + ".subject.txt")
		if err != nil {
			return nil, err
		}
		if kt.subject, err = texttemplate.New(kind + ".subject.txt").Option("missingkey=error").Parse(src); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		if src, err = read(kind + ".txt"); err != nil {
			return nil, err
		}
		if kt.text, err = texttemplate.New(kind + ".txt").Option("missingkey=error").Parse(src); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		if src, err = read(kind + ".html"); err != nil {
			return nil, err
		}
		if kt.html, err = htmltemplate.New(kind + ".html").Option("missingkey=error").Parse(src); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		c.kinds[kind] = kt
	}
	return c, nil
}

// toUnverified reports whether kind goes to an address nobody has proved
// to own yet: a sign-up's confirmation and an email change's confirmation
// to the new address. Whoever asked for such a mail chose both the
// recipient and, through full_name, text in it; an attacker could send
// anyone a message from this application with words of their own in it
// ("Hi, your account is suspended, call ..."). So these mails carry no
// user-supplied text besides the addresses, whatever the caller passes and
// whatever an overriding template asks for.
func toUnverified(kind string) bool {
	return kind == KindVerification || kind == KindEmailChange
}

// Compose renders the email of kind for the recipient to.
func (c *Composer) Compose(kind, to string, data Data) (Message, error) {
	kt, ok := c.kinds[kind]
	if !ok {
		return Message{}, fmt.Errorf("mail: unknown email kind %q", kind)
	}
	if data.AppName == "" {
		data.AppName = c.appName
	}
	if toUnverified(kind) {
		data.FullName = ""
	}
	var subject, text, html bytes.Buffer
	if err := kt.subject.Execute(&subject, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	if err := kt.text.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	if err := kt.html.Execute(&html, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	// A subject template usually ends with a newline; a subject is one line.
	subj := strings.Join(strings.Fields(subject.String()), " ")
	return Message{From: c.from, To: to, Subject: subj, Text: text.String(), HTML: html.String()}, nil
}
