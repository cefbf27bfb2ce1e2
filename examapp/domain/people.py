"""What a valid username and unit code look like, and the post flags a person carries."""
import re

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
# on_post: 在编在岗; is_enforcement: 执法岗位; is_supervision: 监督岗位; is_leader: 领导干部
FLAGS = ("on_post", "is_enforcement", "is_supervision", "is_leader")
