"""Access control as data: roles, the role × route permission table, the password policy."""
