-- Development only: the password PostgREST logs in with (PGRST_DB_URI in docker-compose.yml).
alter role authenticator password 'authenticator-compose-dev';
