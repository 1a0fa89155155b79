-- Token rotation: the token an appliance held before its last rotation stays valid until the new
-- one is first used, so an appliance that crashed before saving the new token is not locked out.
ALTER TABLE appliances ADD COLUMN previous_token_hash text UNIQUE;
