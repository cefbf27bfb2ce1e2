"""Use cases. One public function is one transaction; actor, now and input are arguments."""
