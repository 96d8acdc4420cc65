// What the caller's role in a domain lets them do (the API's Action names).
export function can(domain, action) {
  return domain.myRole?.actions.includes(action) ?? false;
}
