// The cold-init floor (bench/cold-init-floor.ts): a handler that does nothing.
export const handler = async () => ({ statusCode: 200 });
