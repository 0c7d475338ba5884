print("gstacks")
