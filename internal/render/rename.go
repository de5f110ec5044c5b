package render

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strconv"
)

// renamePackage renames package from to to in one Go file: the package
// clause (and its _test variant) and every qualified use of the package from
// files that import it by its default name.
func renamePackage(src []byte, from, to, importPath string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	switch f.Name.Name {
	case from:
		f.Name.Name = to
	case from + "_test":
		f.Name.Name = to + "_test"
	}
	imported := false
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p == importPath && imp.Name == nil {
			imported = true
		}
	}
	if imported {
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			// A package qualifier is an identifier the parser could not
			// resolve to a local declaration.
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == from && id.Obj == nil {
				id.Name = to
			}
			return true
		})
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
