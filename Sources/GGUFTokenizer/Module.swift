// GGUFTokenizer
