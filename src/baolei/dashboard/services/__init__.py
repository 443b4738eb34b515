"""The command centre's domain logic: the stored figures (`facts`), a village's page
(`village`), each user's to-do (`todo`)."""
