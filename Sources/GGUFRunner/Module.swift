// GGUFRunner
