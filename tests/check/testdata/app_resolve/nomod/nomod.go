package nomod
