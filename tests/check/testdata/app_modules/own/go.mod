module github.com/hetaoc/hetao/x

go 1.22
