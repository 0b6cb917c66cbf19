"""The write path of 培训演练: one module per aggregate (sessions, certificates, drills and plans, rescue
resources and 宣传), each call one transaction with its audit row."""
