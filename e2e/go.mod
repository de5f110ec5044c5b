module github.com/regstack/regstack/e2e

go 1.26.0
