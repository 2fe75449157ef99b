print("foldbench")
