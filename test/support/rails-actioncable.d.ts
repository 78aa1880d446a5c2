// @rails/actioncable ships no types; the tests use it as the official client, untyped.
declare module '@rails/actioncable';
