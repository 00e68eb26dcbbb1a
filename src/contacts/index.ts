export { addContact, type ContactDeps } from './add-contact.ts';
export { assignAccountManager } from './assign-account-manager.ts';
export { contactsLifecycle } from './erase-contacts.ts';
export { type InstanceContacts, listContacts } from './list-contacts.ts';
export {
  type AssignedManager,
  accountManagersFor,
  type ContactTopic,
  type CustomerContact,
  contactsReceiving,
  contactTopics,
} from './records.ts';
export { removeContact } from './remove-contact.ts';
