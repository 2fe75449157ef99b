import EventStore
print("bench")
