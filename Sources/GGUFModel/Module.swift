// GGUFModel
