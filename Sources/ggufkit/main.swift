print("ggufkit")
