module example.com/hetaoapp

go 1.26
